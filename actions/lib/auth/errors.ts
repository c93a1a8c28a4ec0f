import { HttpError } from '../errors';

/**
 * 401 with the RFC 6750 challenge. Without a token the challenge names no error; with a bad one it says
 * `invalid_token` and why (the reason never includes the token itself).
 */
export class AuthError extends HttpError {
  constructor(reason: string, tokenPresent: boolean) {
    const challenge = tokenPresent
      ? `Bearer realm="findme", error="invalid_token", error_description="${reason.replace(/["\\]/g, '')}"`
      : 'Bearer realm="findme"';
    super(401, tokenPresent ? `invalid access token: ${reason}` : reason, { 'www-authenticate': challenge });
  }
}

/**
 * The identity provider could not be asked (down, slow, answering errors): the caller's token may be fine, so this
 * is a 503 to retry, never a 401 that would send them to log in again.
 */
export class IdentityProviderError extends HttpError {
  constructor(detail: string) {
    super(503, `the identity provider could not be reached (${detail}); try again in a minute`, { 'retry-after': '60' });
  }
}

/** Why a fetch failed, with its cause: Node's fetch says only "fetch failed" and keeps ECONNREFUSED in `cause`. */
export function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}
