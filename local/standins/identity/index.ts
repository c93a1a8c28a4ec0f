/**
 * The local stand-in for Auth0: an OpenID Connect provider on 127.0.0.1 with Auth0's paths (/authorize,
 * /oauth/token, /.well-known/jwks.json, /userinfo, /v2/logout), a login form, and demo users whose profile
 * pictures it serves itself. `findme start` uses it when AUTH0_DOMAIN is unset; tests and `findme search` use
 * `issueAccessToken` to get tokens exactly like the ones it issues, and tests `addUser`, `forgeAccessToken` and
 * `userinfoCalls` for users of their own, tokens it must refuse, and checking that /userinfo answers are cached.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { DEMO_USERS, renderDemoPicture } from '../demo';
import type { IdentityUser } from './accounts';
import { SCOPE } from './claims';
import { readForm, send } from './http';
import { loginPage } from './pages';
import { ACCESS_TOKEN_TTL_S, createProvider } from './provider';
import { userinfoHandler } from './userinfo';

export type { IdentityUser } from './accounts';
export { DEMO_PASSWORD, DEMO_USERS } from '../demo';

export interface IdentityOptions {
  /** Origins of the pages allowed to log in (their `/` is the redirect URI and the logout return address). */
  pageOrigins: string[];
  audience?: string;
  clientId?: string;
  /** Users besides the demo users; a user given `pictureBytes` gets them served here as its picture. */
  users?: Array<IdentityUser & { pictureBytes?: Buffer }>;
  port?: number;
}

export interface AccessTokenOverrides {
  audience?: string;
  expiresInS?: number;
  /** Seconds since the epoch. */
  issuedAt?: number;
  scope?: string;
}

export interface IdentityProvider {
  /** `http://127.0.0.1:PORT/`, with the trailing slash, as Auth0 writes issuers. */
  issuer: string;
  /** What AUTH0_DOMAIN and the SPA's `domain` get: the full URL without the trailing slash. */
  domain: string;
  /** `127.0.0.1:PORT`, for FINDME_IMAGE_HOSTS (the demo users' pictures are served here). */
  host: string;
  clientId: string;
  audience: string;
  /** The users it knows now (demo users, `options.users`, and any added since). */
  readonly users: IdentityUser[];
  /** How many requests /userinfo has had since start. */
  readonly userinfoCalls: number;
  /** An absolute URL on the provider, e.g. `url('/userinfo')`. */
  url(path: string): string;
  /**
   * Signs an access token exactly like the ones the provider issues (same key, kid, iss, aud, scope, RS256), for
   * tests and the CLI's embedded mode; overrides make expired or wrong-audience ones.
   */
  issueAccessToken(user: { sub: string }, overrides?: AccessTokenOverrides): Promise<string>;
  /** Like `issueAccessToken`, with the same `kid`, but signed by a key the provider does not publish. */
  forgeAccessToken(user: { sub: string }, overrides?: AccessTokenOverrides): Promise<string>;
  /** Adds (or replaces) a user: /userinfo and logins know it from now on. */
  addUser(user: IdentityUser): void;
  close(): Promise<void>;
}

export async function startIdentityProvider(options: IdentityOptions): Promise<IdentityProvider> {
  const audience = options.audience ?? 'https://findme.local/api';
  const clientId = options.clientId ?? 'findme-local-spa';
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const signingKey: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const pictures = new Map<string, Buffer>();
  const users = new Map<string, IdentityUser>();
  const sockets = new Set<Socket>();
  let userinfoCalls = 0;
  const updatedAt = new Date().toISOString();

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const domain = `http://127.0.0.1:${port}`;
  const issuer = `${domain}/`;

  for (const demo of DEMO_USERS) {
    pictures.set(demo.sub, await renderDemoPicture(demo.crop));
    const { crop: _crop, ...user } = demo;
    users.set(demo.sub, { ...user, picture: `${domain}/pictures/${encodeURIComponent(demo.sub)}.jpg` });
  }
  for (const { pictureBytes, ...user } of options.users ?? []) {
    if (pictureBytes) pictures.set(user.sub, pictureBytes);
    users.set(user.sub, pictureBytes ? { ...user, picture: `${domain}/pictures/${encodeURIComponent(user.sub)}.jpg` } : user);
  }

  const redirectUris = options.pageOrigins.flatMap((origin) => [`${origin}/`, origin]);
  const provider = await createProvider({ issuer, audience, clientId, redirectUris, users, signingKey, cookieKeys: [randomBytes(32).toString('hex')], updatedAt });
  const oidc = provider.callback();
  const userinfo = userinfoHandler({ issuer, audience, publicKey, users, updatedAt, corsOrigins: new Set(options.pageOrigins) });

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, 'interaction mismatch', 'text/plain');
    const action = `/interaction/${uid}`;
    const hint = 'Demo users: ada or grace, password findme-demo.';
    if (req.method !== 'POST') return send(res, 200, loginPage(action, { hint }), 'text/html; charset=utf-8');
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const user = [...users.values()].find((u) => u.username === username);
    if (!user || user.password !== form.get('password')) {
      return send(res, 200, loginPage(action, { error: 'Wrong username or password.', username, hint }), 'text/html; charset=utf-8');
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const route = async () => {
      const picture = /^\/pictures\/([^/]+)\.jpg$/.exec(url.pathname);
      if (picture && req.method === 'GET') {
        const bytes = pictures.get(decodeURIComponent(picture[1]!));
        return bytes ? send(res, 200, bytes, 'image/jpeg') : send(res, 404, 'no such picture', 'text/plain');
      }
      if (url.pathname === '/userinfo') {
        userinfoCalls += 1;
        return userinfo(req, res);
      }
      const uid = /^\/interaction\/([\w-]+)$/.exec(url.pathname)?.[1];
      if (uid) return interaction(req, res, uid);
      if (url.pathname === '/v2/logout') {
        // Auth0's logout endpoint, mapped to OpenID Connect RP-initiated logout.
        const target = new URL('/oidc/logout', issuer);
        target.searchParams.set('client_id', url.searchParams.get('client_id') ?? clientId);
        const returnTo = url.searchParams.get('returnTo');
        if (returnTo) target.searchParams.set('post_logout_redirect_uri', returnTo);
        res.writeHead(302, { location: target.href });
        return void res.end();
      }
      // Awaited so that the provider's own failures reach the 500 below, not an unhandled rejection.
      await oidc(req, res);
    };
    route().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `identity provider error: ${error instanceof Error ? error.message : String(error)}`, 'text/plain');
    });
  });

  async function signAccessToken(key: CryptoKey, user: { sub: string }, overrides: AccessTokenOverrides): Promise<string> {
    const iat = overrides.issuedAt ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: overrides.scope ?? SCOPE, client_id: clientId })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(user.sub)
      .setAudience(overrides.audience ?? audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (overrides.expiresInS ?? ACCESS_TOKEN_TTL_S))
      .setJti(randomUUID())
      .sign(key);
  }
  // Made on first use: only tests forge tokens.
  let foreignKey: Promise<CryptoKey> | undefined;

  return {
    issuer,
    domain,
    host: `127.0.0.1:${port}`,
    clientId,
    audience,
    get users() {
      return [...users.values()];
    },
    get userinfoCalls() {
      return userinfoCalls;
    },
    url: (path) => new URL(path, issuer).href,
    issueAccessToken: (user, overrides = {}) => signAccessToken(privateKey as CryptoKey, user, overrides),
    async forgeAccessToken(user, overrides = {}) {
      foreignKey ??= generateKeyPair('RS256').then((pair) => pair.privateKey as CryptoKey);
      return signAccessToken(await foreignKey, user, overrides);
    },
    addUser: (user) => void users.set(user.sub, user),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
