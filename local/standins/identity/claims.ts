/**
 * A user's standard claims as Auth0 gives them: which ones depends on the token's scopes (`openid` → sub,
 * `profile` → name, nickname, picture, updated_at, `email` → email, email_verified), and `updated_at` is an ISO
 * date string as Auth0 writes it (not OpenID Connect's seconds).
 */
import type { IdentityUser } from './accounts';

export const SCOPE = 'openid profile email';

export function claimsOf(user: IdentityUser, updatedAt: string, scope: string = SCOPE): { sub: string } & Record<string, unknown> {
  const scopes = new Set(scope.split(' '));
  return {
    sub: user.sub,
    ...(scopes.has('profile') ? { name: user.name, nickname: user.username, ...(user.picture ? { picture: user.picture } : {}), updated_at: updatedAt } : {}),
    ...(scopes.has('email') && user.email ? { email: user.email, email_verified: true } : {}),
  };
}
