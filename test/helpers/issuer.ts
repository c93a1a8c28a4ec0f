/**
 * A small identity provider for the pipeline tests: a real HTTP server on 127.0.0.1 with Auth0's JWKS and
 * /userinfo paths, issuing RS256 access tokens for users the test defines. Tokens it issues verify exactly as
 * Auth0's do; `issue()` also makes the broken ones (expired, wrong audience) and `forge()` ones signed with
 * another key.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, SignJWT, type JWK, type CryptoKey } from 'jose';

export interface TestUser {
  sub: string;
  name: string;
  picture?: string;
}

export interface TestIssuer {
  /** AUTH0_DOMAIN: the full URL, so actions call it over http. */
  domain: string;
  issuer: string;
  audience: string;
  host: string;
  userinfoCalls: number;
  issue(user: TestUser, overrides?: { audience?: string; expiresInS?: number; issuedAt?: number }): Promise<string>;
  /** A well-formed token signed by a key the issuer does not publish. */
  forge(user: TestUser): Promise<string>;
  setUser(user: TestUser): void;
}

export async function useIssuer(audience = 'https://findme.test/api'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const jwks = createLocalJWKSet({ keys: [jwk] });
  const users = new Map<string, TestUser>();
  let issuer = '';
  const state = { userinfoCalls: 0 };

  // The handler's errors are answered inside it; node:http ignores a listener's promise.
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/jwks.json') return send(200, { keys: [jwk] });
    if (req.url === '/userinfo') {
      state.userinfoCalls += 1;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      try {
        const { payload } = await jwtVerify(token ?? '', jwks, { issuer });
        const user = users.get(String(payload.sub));
        if (!user) return send(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
        return send(200, { sub: user.sub, name: user.name, ...(user.picture ? { picture: user.picture } : {}) });
      } catch {
        return send(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
    }
    send(404, { error: 'not found' });
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  issuer = `http://127.0.0.1:${port}/`;

  async function sign(user: TestUser, key: CryptoKey, overrides: { audience?: string; expiresInS?: number; issuedAt?: number } = {}): Promise<string> {
    users.set(user.sub, user);
    const iat = overrides.issuedAt ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: 'openid profile email' })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(user.sub)
      .setAudience(overrides.audience ?? audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (overrides.expiresInS ?? 3600))
      .sign(key);
  }

  return {
    domain: `http://127.0.0.1:${port}`,
    issuer,
    audience,
    host: `127.0.0.1:${port}`,
    get userinfoCalls() {
      return state.userinfoCalls;
    },
    issue: (user, overrides) => sign(user, privateKey, overrides),
    forge: (user) => sign(user, other.privateKey),
    setUser: (user) => users.set(user.sub, user),
  };
}
