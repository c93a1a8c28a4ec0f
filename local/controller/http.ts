/** The one place the controller writes HTTP responses, with OpenWhisk's error body `{error, code}`. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

/** A request the controller refuses: status and OpenWhisk's message. */
export class RejectRequest extends Error {
  override readonly name = 'RejectRequest';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const TEXT = {
  notFound: 'The requested resource does not exist.',
  unauthenticated: 'The resource requires authentication, which was not supplied with the request',
  badAuth: 'The supplied authentication is invalid',
  tooLarge: `The request content was malformed:\nrequest entity too large (limit ${MAX_BODY_BYTES} bytes)`,
  methodNotAllowed: 'The local platform takes its entities from serverless.yml: this method is not supported.',
};

export function transactionId(): string {
  return randomBytes(16).toString('hex');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: message, code: transactionId() }, headers);
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new RejectRequest(413, TEXT.tooLarge));
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON object body, or {} when empty; anything else is a 400. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RejectRequest(400, 'The request content was malformed:\nthe body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new RejectRequest(400, 'The request content was malformed:\nthe body must be a JSON object');
  return parsed as Record<string, unknown>;
}
