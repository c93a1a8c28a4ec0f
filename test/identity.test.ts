import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import sharp from 'sharp';
import { useIdentityProvider } from './helpers/identity';

const idp = await useIdentityProvider();
const jwks = createRemoteJWKSet(new URL(idp.url('.well-known/jwks.json')));

/** fetch with a timeout, as every request here has one. */
function http(url: string | URL, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
}

/** An /authorize request as auth0-spa-js makes it (PKCE, `audience`), with parts left out or changed. */
function authorizeUrl(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    client_id: idp.clientId,
    redirect_uri: idp.redirectUri,
    response_type: 'code',
    scope: 'openid profile email',
    audience: idp.audience,
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'state-1',
    nonce: 'nonce-1',
    ...overrides,
  };
  const url = new URL(idp.url('authorize'));
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** Where /authorize sends the browser back to the page with an error, or undefined if it shows the login form. */
async function authorizeError(url: string): Promise<URLSearchParams | undefined> {
  const response = await http(url, { redirect: 'manual' });
  const location = new URL(response.headers.get('location') ?? '', url);
  return location.href.startsWith(idp.redirectUri) ? location.searchParams : undefined;
}

test("discovery shows an issuer with a trailing slash and Auth0's paths", async () => {
  const config = (await (await http(idp.url('.well-known/openid-configuration'))).json()) as Record<string, unknown>;
  assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(idp.domain + '/', idp.issuer);
  assert.equal(config.issuer, idp.issuer);
  assert.equal(config.authorization_endpoint, `${idp.domain}/authorize`);
  assert.equal(config.token_endpoint, `${idp.domain}/oauth/token`);
  assert.equal(config.jwks_uri, `${idp.domain}/.well-known/jwks.json`);
  assert.equal(config.userinfo_endpoint, `${idp.domain}/userinfo`, 'the Auth0-style /userinfo, the one that takes API tokens');
  assert.deepEqual(config.code_challenge_methods_supported, ['S256']);
  assert.ok((config.response_modes_supported as string[]).includes('web_message'), "auth0-spa-js's silent renewal");
});

test('the JWKS publishes one RSA 2048 public key with a kid, and nothing private', async () => {
  const { keys } = (await (await http(idp.url('.well-known/jwks.json'))).json()) as { keys: Array<Record<string, string>> };
  assert.equal(keys.length, 1);
  const [key] = keys;
  assert.equal(key!.kty, 'RSA');
  assert.equal(key!.alg, 'RS256');
  assert.ok(key!.kid);
  assert.equal(Buffer.from(key!.n!, 'base64url').length * 8, 2048);
  for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key![secret], undefined, `private member ${secret} published`);
});

test('the login page has a labelled username and password form', async () => {
  const first = await http(authorizeUrl(), { redirect: 'manual' });
  const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const login = await http(new URL(first.headers.get('location')!, idp.issuer), { headers: { cookie } });
  const html = await login.text();
  assert.match(html, /<label for="username">Username<\/label><input id="username" name="username"/);
  assert.match(html, /<label for="password">Password<\/label><input id="password" name="password" type="password"/);
});

test('the authorization-code flow with PKCE yields an RS256 JWT access token for the API and an ID token with the picture', async () => {
  const { accessToken, idToken } = await idp.login('ada');
  const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, { issuer: idp.issuer, audience: idp.audience, algorithms: ['RS256'] });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.sub, 'local|ada');
  assert.equal(payload.aud, idp.audience);
  assert.equal(payload.scope, 'openid profile email');
  assert.ok(payload.exp! > payload.iat! && payload.iat! <= Math.floor(Date.now() / 1000) + 1);
  const id = decodeJwt(idToken);
  assert.equal(id.name, 'Ada Demo');
  assert.equal(id.picture, idp.url('pictures/local%7Cada.jpg'));
  const picture = await http(String(id.picture));
  assert.equal(picture.headers.get('content-type'), 'image/jpeg');
  const meta = await sharp(Buffer.from(await picture.arrayBuffer())).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 400, 400]);
});

test('the two demo users have different faces', async () => {
  const [ada, grace] = await Promise.all(['local%7Cada', 'local%7Cgrace'].map(async (sub) => Buffer.from(await (await http(idp.url(`pictures/${sub}.jpg`))).arrayBuffer())));
  assert.ok(ada!.length > 5000 && grace!.length > 5000);
  assert.notDeepEqual(ada, grace);
});

test('a wrong password is refused on the login page', async () => {
  await assert.rejects(idp.login('ada', 'nope'), /wrong username or password/);
  await assert.rejects(idp.login('nobody'), /wrong username or password/);
});

test('PKCE is required, and an unknown audience is refused back to the page', async () => {
  const noPkce = await authorizeError(authorizeUrl({ code_challenge: undefined, code_challenge_method: undefined }));
  assert.equal(noPkce?.get('error'), 'invalid_request');
  assert.match(noPkce?.get('error_description') ?? '', /PKCE/);
  const otherApi = await authorizeError(authorizeUrl({ audience: 'https://other.example/api' }));
  assert.equal(otherApi?.get('error'), 'invalid_target');
  assert.equal(await authorizeError(authorizeUrl()), undefined, 'the same request with PKCE and the API audience gets the login form');
});

test('/userinfo answers the access token like Auth0 does: the claims of its scopes', async () => {
  const { accessToken } = await idp.login('grace');
  const ok = await http(idp.url('userinfo'), { headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(ok.status, 200);
  const info = (await ok.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(info).sort(), ['email', 'email_verified', 'name', 'nickname', 'picture', 'sub', 'updated_at']);
  assert.equal(info.sub, 'local|grace');
  assert.equal(info.name, 'Grace Demo');
  assert.equal(info.email, 'grace@findme.local');
  assert.equal(info.picture, idp.url('pictures/local%7Cgrace.jpg'));
  assert.match(String(info.updated_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'an ISO date, as Auth0 writes it');
  const openidOnly = await idp.issueAccessToken({ sub: 'local|grace' }, { scope: 'openid' });
  const bare = await http(idp.url('userinfo'), { headers: { authorization: `Bearer ${openidOnly}` } });
  assert.deepEqual(await bare.json(), { sub: 'local|grace' });
});

test('/userinfo refuses missing, tampered, expired, wrong-audience and non-openid tokens with 401 invalid_token', async () => {
  const { accessToken } = await idp.login('grace');
  const [head, body, signature] = accessToken.split('.');
  const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
  const tampered = [head, Buffer.from(JSON.stringify({ ...claims, sub: 'local|ada' })).toString('base64url'), signature].join('.');
  const cases: Record<string, string | undefined> = {
    missing: undefined,
    tampered,
    expired: await idp.issueAccessToken({ sub: 'local|grace' }, { issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInS: 3600 }),
    'wrong audience': await idp.issueAccessToken({ sub: 'local|grace' }, { audience: 'https://other.example/api' }),
    'no openid scope': await idp.issueAccessToken({ sub: 'local|grace' }, { scope: 'profile' }),
  };
  for (const [name, token] of Object.entries(cases)) {
    const refused = await http(idp.url('userinfo'), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.equal(refused.status, 401, name);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]+", error="invalid_token"/, name);
  }
});

test('issueAccessToken makes tokens that verify exactly like issued ones', async () => {
  const minted = await idp.issueAccessToken({ sub: 'local|ada' });
  const { accessToken } = await idp.login('ada');
  const a = await jwtVerify(minted, jwks, { issuer: idp.issuer, audience: idp.audience, algorithms: ['RS256'] });
  const b = await jwtVerify(accessToken, jwks, { issuer: idp.issuer, audience: idp.audience, algorithms: ['RS256'] });
  assert.deepEqual(Object.keys(a.payload).sort(), Object.keys(b.payload).sort());
  assert.deepEqual(a.protectedHeader, b.protectedHeader);
  for (const claim of ['iss', 'aud', 'sub', 'scope', 'client_id'] as const) assert.deepEqual(a.payload[claim], b.payload[claim], claim);
  assert.equal(a.payload.exp! - a.payload.iat!, b.payload.exp! - b.payload.iat!, 'same lifetime');
  const other = await idp.issueAccessToken({ sub: 'local|ada' }, { audience: 'https://other' });
  assert.equal(decodeProtectedHeader(other).kid, b.protectedHeader.kid);
  await assert.rejects(jwtVerify(other, jwks, { issuer: idp.issuer, audience: idp.audience }), /aud/);
  const expired = await idp.issueAccessToken({ sub: 'local|ada' }, { expiresInS: -10 });
  await assert.rejects(jwtVerify(expired, jwks, { issuer: idp.issuer, audience: idp.audience }), /exp/);
});

test('a user added later is known to /userinfo; a forged token is refused there; userinfoCalls counts each request', async () => {
  const before = idp.userinfoCalls;
  const carol = { sub: 'test|carol', username: 'carol', password: 'carol-pw', name: 'Carol' };
  const ask = (token: string) => http(idp.url('userinfo'), { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await ask(await idp.issueAccessToken(carol))).status, 401, 'unknown before addUser');
  idp.addUser(carol);
  assert.ok(idp.users.some((u) => u.sub === carol.sub), 'users lists it');
  const known = await ask(await idp.issueAccessToken(carol));
  assert.equal(known.status, 200);
  assert.equal(((await known.json()) as { name?: string }).name, 'Carol');
  const forged = await idp.forgeAccessToken(carol);
  assert.equal(decodeProtectedHeader(forged).kid, decodeProtectedHeader(await idp.issueAccessToken(carol)).kid, 'same kid, other key');
  await assert.rejects(jwtVerify(forged, jwks, { issuer: idp.issuer, audience: idp.audience }), /signature/);
  assert.equal((await ask(forged)).status, 401);
  assert.equal(idp.userinfoCalls - before, 3, 'three /userinfo requests above');
});

test("Auth0's /v2/logout leads to the provider's end-session and back to the page", async () => {
  const response = await http(idp.url(`v2/logout?client_id=${idp.clientId}&returnTo=${encodeURIComponent(idp.redirectUri)}`), { redirect: 'manual' });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location')!);
  assert.equal(location.pathname, '/oidc/logout');
  assert.equal(location.searchParams.get('post_logout_redirect_uri'), idp.redirectUri);
  const page = await http(location);
  assert.equal(page.status, 200);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const fields = new URLSearchParams([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!]));
  // The page's script adds this field and submits at once, as Auth0 logs out without asking.
  fields.set('logout', 'yes');
  const confirmed = await http(action!, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: fields });
  assert.equal(confirmed.headers.get('location'), idp.redirectUri, 'back to the page after logging out');
});

test('a return address that is not the page is refused', async () => {
  const response = await http(idp.url(`v2/logout?client_id=${idp.clientId}&returnTo=${encodeURIComponent('https://evil.example/')}`));
  assert.equal(response.status, 400);
  assert.match(await response.text(), /post_logout_redirect_uri/);
});
