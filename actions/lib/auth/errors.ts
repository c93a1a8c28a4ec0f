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
