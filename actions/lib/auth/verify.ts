/**
 * Verifies an Auth0 access token: RS256 only, signed by a key from the issuer's JWKS, this issuer, this API's
 * audience, not expired. The JWKS is fetched once per container (with a timeout) and refreshed by jose when an
 * unknown key id appears.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthConfig } from '../config';
import { AuthError } from './errors';

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
    ({ payload } = await jwtVerify(token, jwks(config.jwksUrl), {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: 5,
    }));
  } catch (error) {
    if (error instanceof errors.JWKSTimeout || (error instanceof Error && /fetch|ECONNREFUSED|network/i.test(error.message))) {
      // The identity provider is unreachable: the caller is not at fault, so this is not a 401.
      throw Object.assign(new Error(`could not fetch the identity provider's keys from ${config.jwksUrl}: ${error.message}`), { cause: error });
    }
    throw new AuthError(reason(error), true);
  }
  return { sub: String(payload.sub), expiresAt: Number(payload.exp) * 1000, claims: payload };
}
