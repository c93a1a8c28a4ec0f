/** Authentication of web action callers: bearer token → verified user. */
import type { AuthConfig } from '../config';
import { bearerToken, type WebRequest } from '../web/request';
import { AuthError } from './errors';
import { verifyAccessToken, type VerifiedToken } from './verify';

export { AuthError } from './errors';
export { fetchUserInfo, requirePicture, type UserInfo } from './userinfo';

export async function authenticate(request: WebRequest, config: AuthConfig): Promise<VerifiedToken & { token: string }> {
  const token = bearerToken(request);
  if (!token) throw new AuthError('log in first: this request has no "Authorization: Bearer <access token>" header', false);
  return { ...(await verifyAccessToken(token, config)), token };
}
