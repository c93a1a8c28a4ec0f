/**
 * Auth0's /userinfo. Auth0 answers it for the API access token the SPA holds (it adds its own userinfo audience
 * to tokens that carry `openid`); oidc-provider's userinfo refuses resource-server tokens, so the provider serves
 * this one itself: the bearer JWT is verified with the provider's key (RS256, issuer, audience, expiry) and the
 * user's claims for the token's scopes are returned. Anything else is a 401 with an RFC 6750 challenge.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify, type CryptoKey } from 'jose';
import type { IdentityUser } from './accounts';
import { claimsOf } from './claims';
import { send } from './http';

export interface UserinfoSetup {
  issuer: string;
  audience: string;
  publicKey: CryptoKey;
  users: Map<string, IdentityUser>;
  updatedAt: string;
  /** Pages that may call it from the browser. */
  corsOrigins: Set<string>;
}

export function userinfoHandler(setup: UserinfoSetup): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  // Auth0 also accepts tokens issued for its own userinfo audience.
  const audiences = [setup.audience, `${setup.issuer}userinfo`];
  return async function userinfo(req, res) {
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin && setup.corsOrigins.has(origin) ? { 'access-control-allow-origin': origin, 'access-control-allow-headers': 'Authorization', vary: 'Origin' } : {};
    if (req.method === 'OPTIONS') return send(res, 204, '', 'text/plain', cors);
    if (req.method !== 'GET') return send(res, 405, JSON.stringify({ error: 'method_not_allowed', error_description: 'use GET /userinfo' }), 'application/json', { ...cors, allow: 'GET' });
    const refuse = (description: string) =>
      send(res, 401, JSON.stringify({ error: 'invalid_token', error_description: description }), 'application/json', {
        ...cors,
        'www-authenticate': `Bearer realm="${setup.issuer}", error="invalid_token", error_description="${description}"`,
      });
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return refuse('Missing access token: send it as "Authorization: Bearer <token>"');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, setup.publicKey, { issuer: setup.issuer, audience: audiences, algorithms: ['RS256'] }));
    } catch {
      return refuse('Invalid or expired access token');
    }
    const scope = String(payload.scope ?? '');
    if (!scope.split(' ').includes('openid')) return refuse('The access token was not granted the openid scope');
    const user = setup.users.get(String(payload.sub));
    if (!user) return refuse('The access token names an unknown user');
    send(res, 200, JSON.stringify(claimsOf(user, setup.updatedAt, scope)), 'application/json', cors);
  };
}
