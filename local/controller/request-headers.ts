/**
 * A request's headers as OpenWhisk's controller passes them to actions in `__ow_headers`: lower-cased names, one
 * value per name. Pekko keeps Content-Length, Transfer-Encoding and Content-Type out of a request's header list
 * (they describe the entity); WebActions.scala adds Content-Type back from the entity, Triggers.scala (PR #5273,
 * OpenWhisk 2.0) does not, so a rule-fired action sees every header of the fire but those three.
 */
import type { IncomingMessage } from 'node:http';

const ENTITY_HEADERS = new Set(['content-length', 'transfer-encoding']);

export function requestHeaders(req: IncomingMessage, options: { contentType: boolean }): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const key = name.toLowerCase();
    if (ENTITY_HEADERS.has(key) || (key === 'content-type' && !options.contentType) || value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
