/**
 * Web actions at /api/v1/web/<namespace>/<package>/<action>[.http|.json|.html|.svg|.text][/<path>], in the
 * order OpenWhisk's WebActions.scala handles them: find the exported action (404 otherwise, also for a namespace
 * or package that does not exist), read the whole body (413 past 1 MB, 408 when it does not arrive in time) — before
 * charging the namespace's throttles (OPTIONS too, as there), so sockets that trickle half a body cannot hold the
 * invocation budget — add CORS unless the action handles OPTIONS itself, check `require-whisk-auth`, refuse a request that sets
 * a final or reserved parameter, run the action and render its result, or project `error` from an application
 * error. Every response to an activation carries `x-openwhisk-activation-id`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivationRecord } from '../activations';
import { MAX_PAYLOAD_BYTES, NotFoundError, ParametersNotAllowedError, RequestError, TEXT } from '../errors';
import type { ActionSpec } from '../manifest/types';
import type { PlatformCore } from '../platform-core';
import { waitFor } from './rest-invoke';
import { requestHeaders } from './request-headers';
import { readWebBody, requestKeys, RESERVED, webArguments, type WebContext } from './web-request';
import { EXTENSIONS, render, WEB_MESSAGES, webError, type Extension } from './web-response';

export interface WebOptions {
  core: PlatformCore;
  /** Whether the request's Basic credentials are this platform's API key. */
  authenticated: (req: IncomingMessage) => boolean;
  maxBlockingWaitMs: number;
  /** How long a web request's body may take to arrive. */
  bodyTimeoutMs: number;
}

export const WEB_METHODS = Object.freeze(['GET', 'DELETE', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'PATCH']);

const CORS = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH',
});
const DEFAULT_ALLOW_HEADERS = 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent';

function splitExtension(segment: string): [string, Extension] {
  const extension = EXTENSIONS.find((e) => segment.endsWith(e));
  return extension ? [segment.slice(0, -extension.length), extension] : [segment, '.http'];
}

function findExported(core: PlatformCore, segments: string[]): { action: ActionSpec; extension: Extension; path: string } {
  const [namespace, pkg, actionSegment, ...rest] = segments;
  if (!namespace || !pkg || !actionSegment || namespace !== core.namespace) throw new NotFoundError();
  const [name, extension] = splitExtension(actionSegment);
  const action = core.actions.get(pkg === 'default' ? name : `${pkg}/${name}`);
  // Only a boolean true exports an action, as OpenWhisk reads the annotation.
  if (!action || action.annotations['web-export'] !== true) throw new NotFoundError();
  return { action, extension, path: rest.length ? `/${rest.join('/')}` : '' };
}

/** `require-whisk-auth`: a string or number must come as X-Require-Whisk-Auth, true asks for the API key. */
function allowedBy(action: ActionSpec, req: IncomingMessage, user: string | undefined): boolean {
  const required = action.annotations['require-whisk-auth'];
  if (required === undefined || required === false) return true;
  if (required === true) return user !== undefined;
  if (typeof required === 'string' || typeof required === 'number') return req.headers['x-require-whisk-auth'] === String(required);
  return false;
}

function respond(res: ServerResponse, extension: Extension, record: ActivationRecord): void {
  res.setHeader('x-openwhisk-activation-id', record.activationId);
  if (record.statusCode === 0) return render(res, extension, record.response.result);
  if (record.statusCode === 1) {
    const result = record.response.result;
    if (result === null || typeof result !== 'object' || !Object.hasOwn(result, 'error')) return webError(res, 404, WEB_MESSAGES.propertyNotFound);
    return render(res, extension, (result as { error: unknown }).error);
  }
  webError(res, 400, WEB_MESSAGES.errorProcessingRequest);
}

/** Handles what follows `/api/v1/web/`. */
export async function handleWebRequest(options: WebOptions, segments: string[], url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { core } = options;
  const method = (req.method ?? 'GET').toUpperCase();
  if (!WEB_METHODS.includes(method)) throw new RequestError(405, TEXT.methodNotAllowed([...WEB_METHODS]));
  const { action, extension, path } = findExported(core, segments);
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > MAX_PAYLOAD_BYTES) throw new RequestError(413, TEXT.entityTooBig(length));
  const raw = action.annotations['raw-http'] === true;
  const body = await readWebBody(req, raw, options.bodyTimeoutMs);
  const slot = core.admit();
  let launched = false;
  try {
    const customOptions = action.annotations['web-custom-options'] === true;
    if (!customOptions) {
      for (const [name, value] of Object.entries(CORS)) res.setHeader(name, value);
      res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? DEFAULT_ALLOW_HEADERS);
      if (method === 'OPTIONS') {
        res.writeHead(200, { 'content-length': 0 });
        return void res.end();
      }
    }
    const user = options.authenticated(req) ? core.namespace : undefined;
    // With custom options the action answers OPTIONS even when authentication would be required.
    if (!(customOptions && method === 'OPTIONS') && !allowedBy(action, req, user)) throw new RequestError(401, TEXT.unauthenticated);
    const context: WebContext = { method, headers: requestHeaders(req, { contentType: true }), path, query: url.searchParams, rawQuery: url.search.replace(/^\?/, ''), user };
    if (!raw) {
      const refused = requestKeys(context, body).filter((key) => RESERVED.includes(key) || core.immutableParameters(action).includes(key));
      if (refused.length > 0) throw new ParametersNotAllowedError(refused);
    }
    const started = core.launch(slot, action, webArguments(context, body, raw));
    launched = true;
    const record = await waitFor(started.done, options.maxBlockingWaitMs);
    if (!record) {
      res.setHeader('x-openwhisk-activation-id', started.activationId);
      return webError(res, 202, WEB_MESSAGES.responseNotReady);
    }
    respond(res, extension, record);
  } finally {
    if (!launched) slot.done();
  }
}
