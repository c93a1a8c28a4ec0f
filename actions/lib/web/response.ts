/** Web action results in OpenWhisk's `{statusCode, headers, body}` form. */
import { ConfigError, errorMessage, HttpError } from '../errors';
import { isRedisUnavailable, REDIS_RETRY_AFTER_S } from '../store/redis';
import type { ErrorBody } from '../types';

export interface WebResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

const BASE_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): WebResponse {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body };
}

/**
 * Turns anything thrown into a response: an HttpError keeps its status and message; Redis out of reach is a 503
 * with Retry-After (an outage to wait out, not a failure of the request); anything else is a 500
 * whose details go to the log (the activation record), not to the caller.
 */
export function errorResponse(error: unknown): WebResponse {
  if (error instanceof HttpError) {
    const body: ErrorBody = { error: error.message };
    return json(error.status, body, error.headers);
  }
  if (isRedisUnavailable(error)) {
    console.error(`redis unavailable: ${errorMessage(error)}`);
    const body: ErrorBody = { error: `findme's database cannot be reached just now; try again in ${REDIS_RETRY_AFTER_S} s` };
    return json(503, body, { 'retry-after': String(REDIS_RETRY_AFTER_S) });
  }
  if (error instanceof ConfigError) {
    console.error(`configuration: ${error.message}`);
    return json(503, { error: 'findme is not configured correctly; the details are in the activation log' } satisfies ErrorBody);
  }
  console.error(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : errorMessage(error)}`);
  const body: ErrorBody = { error: 'internal error; the details are in the activation log' };
  return json(500, body);
}

/** Runs a web action body and always answers with a response, never a thrown error. */
export async function handleWeb(run: () => Promise<WebResponse>): Promise<WebResponse> {
  try {
    return await run();
  } catch (error) {
    return errorResponse(error);
  }
}
