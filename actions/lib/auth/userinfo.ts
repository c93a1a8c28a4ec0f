/**
 * The user's profile picture comes from the identity provider's /userinfo for the verified token — never from
 * the request. Answers are cached per token (by hash) until the token expires, at most 10 minutes, so polling
 * and repeated searches do not hit the provider's rate limits.
 */
import { createHash } from 'node:crypto';
import type { AuthConfig } from '../config';
import { HttpError } from '../errors';
import { PhotoError } from '../face/errors';
import { checkImageUrl } from '../face/host-policy';
import { largestProfileVariant } from '../face/profile';
import { AuthError, fetchFailure, IdentityProviderError } from './errors';
import type { VerifiedToken } from './verify';

const USERINFO_TIMEOUT_MS = 5000;
const CACHE_MAX_ENTRIES = 1000;
const CACHE_MAX_AGE_MS = 10 * 60_000;

export interface UserInfo {
  sub: string;
  name?: string;
  picture?: string;
}

const cache = new Map<string, { info: UserInfo; expires: number }>();

function cacheKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function remember(key: string, info: UserInfo, expires: number): void {
  if (cache.size >= CACHE_MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest.
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, { info, expires });
}

export async function fetchUserInfo(token: string, verified: VerifiedToken, config: AuthConfig, now = Date.now()): Promise<UserInfo> {
  const key = cacheKey(token);
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.info;
  let response: Response;
  try {
    response = await fetch(config.userinfoUrl, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(USERINFO_TIMEOUT_MS),
    });
  } catch (error) {
    throw new IdentityProviderError(`its userinfo endpoint: ${fetchFailure(error)}`);
  }
  if (response.status === 401) throw new AuthError('the identity provider refused the token at /userinfo', true);
  // Overloaded or down is an outage to retry; any other refusal means findme is set up wrong (502).
  if (response.status === 429 || response.status >= 500) throw new IdentityProviderError(`its userinfo endpoint answered HTTP ${response.status}`);
  if (!response.ok) throw new HttpError(502, `the identity provider's userinfo endpoint answered HTTP ${response.status}`);
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!body || body.sub !== verified.sub) throw new HttpError(502, "the identity provider's userinfo does not describe the token's user");
  const info: UserInfo = { sub: verified.sub };
  if (typeof body.name === 'string') info.name = body.name;
  if (typeof body.picture === 'string') info.picture = body.picture;
  remember(key, info, Math.min(verified.expiresAt, now + CACHE_MAX_AGE_MS));
  return info;
}

/**
 * The picture findme compares against, or a 400 that says how to get one. The variant compare_images will
 * download is checked against the same policy it downloads under (FINDME_IMAGE_HOSTS, https), so a picture it
 * would refuse fails here, before a job exists, rather than later as a failed search.
 */
export function requirePicture(info: UserInfo, imageHosts: readonly string[]): string {
  const picture = info.picture;
  if (!picture) throw new HttpError(400, 'Your account has no profile picture. Add one at your identity provider (for example your X profile), then log in again.');
  try {
    checkImageUrl(largestProfileVariant(picture), imageHosts);
  } catch (error) {
    if (!(error instanceof PhotoError)) throw error;
    throw new HttpError(400, `Your profile picture cannot be used: ${error.message}.`);
  }
  return picture;
}
