/**
 * Verifies an Auth0 access token: RS256 only, signed by a key from the issuer's JWKS, this issuer, this API's
 * audience, not expired. The JWKS is fetched once per container (with a timeout) and refreshed by jose when an
 * unknown key id appears.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config';
import { AuthError, fetchFailure, IdentityProviderError } from './errors';

const JWKS_TIMEOUT_MS = 5000;
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function jwks(url: string): ReturnType<typeof createRemoteJWKSet> {
  let set = jwksByUrl.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: JWKS_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    jwksByUrl.set(url, set);
  }
  return set;
}

/** Key-selection failures that are the token's fault (its kid or alg); anything else is fetching the JWKS. */
const TOKEN_KEY_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported];

/**
 * The JWKS with outages told apart: jose reports a timeout, a non-200 answer, a network error and a token whose
 * key is unknown through the same call, and only the last is the caller's fault.
 */
function keysOf(url: string): JWTVerifyGetKey {
  const set = jwks(url);
  return async (header, token) => {
    try {
      return await set(header, token);
    } catch (error) {
      if (TOKEN_KEY_ERRORS.some((kind) => error instanceof kind)) throw error;
      const detail = error instanceof errors.JWKSTimeout ? `no answer in ${JWKS_TIMEOUT_MS} ms` : fetchFailure(error);
      throw new IdentityProviderError(`its keys at ${url}: ${detail}`);
    }
  };
}

export interface VerifiedToken {
  sub: string;
  expiresAt: number;
  claims: JWTPayload;
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token must be signed with RS256';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the identity provider matches the token';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'the token is malformed';
  return 'the token could not be verified';
}

export async function verifyAccessToken(token: string, config: AuthConfig): Promise<VerifiedToken> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keysOf(config.jwksUrl), {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: 5,
    }));
  } catch (error) {
    if (error instanceof IdentityProviderError) throw error;
    throw new AuthError(reason(error), true);
  }
  return { sub: String(payload.sub), expiresAt: Number(payload.exp) * 1000, claims: payload };
}
