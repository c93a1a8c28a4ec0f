import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startIdentityProvider } from '../local/identity';
import { DEMO_PASSWORD } from '../local/identity/accounts';
import { loginWithPassword } from './helpers/oidc-client';

const pageOrigin = 'http://127.0.0.1:9';
const idp = await startIdentityProvider({ pageOrigins: [pageOrigin] });
after(() => idp.close());
const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', idp.issuer));

function login(username: string, password = DEMO_PASSWORD) {
  return loginWithPassword({ domain: idp.domain, clientId: idp.clientId, audience: idp.audience, redirectUri: `${pageOrigin}/`, username, password });
}

test("discovery shows an issuer with a trailing slash and Auth0's paths", async () => {
  const config = (await (await fetch(`${idp.issuer}.well-known/openid-configuration`)).json()) as Record<string, string>;
  assert.equal(config.issuer, idp.issuer);
  assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(config.authorization_endpoint, `${idp.domain}/authorize`);
  assert.equal(config.token_endpoint, `${idp.domain}/oauth/token`);
  assert.equal(config.jwks_uri, `${idp.domain}/.well-known/jwks.json`);
});

test('the authorization-code flow with PKCE yields an RS256 JWT access token for the API and an ID token with the picture', async () => {
  const { accessToken, idToken } = await login('ada');
  const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, { issuer: idp.issuer, audience: idp.audience, algorithms: ['RS256'] });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.sub, 'local|ada');
  assert.match(String(payload.scope), /openid/);
  const id = decodeJwt(idToken);
  assert.equal(id.name, 'Ada Demo');
  assert.equal(id.picture, `${idp.domain}/pictures/local%7Cada.jpg`);
  const picture = await fetch(String(id.picture));
  assert.equal(picture.headers.get('content-type'), 'image/jpeg');
  assert.ok((await picture.arrayBuffer()).byteLength > 5000);
});

test('a wrong password is refused on the login page', async () => {
  await assert.rejects(login('ada', 'nope'), /wrong username or password/);
});

test('/userinfo answers the access token like Auth0 does, and refuses bad tokens with 401', async () => {
  const { accessToken } = await login('grace');
  const ok = await fetch(`${idp.domain}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(ok.status, 200);
  const info = (await ok.json()) as Record<string, string>;
  assert.equal(info.sub, 'local|grace');
  assert.match(info.picture!, /\/pictures\/local%7Cgrace\.jpg$/);
  const tampered = accessToken.slice(0, -4) + (accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  for (const token of [tampered, await idp.issueAccessToken({ sub: 'local|grace' }, { expiresInS: -10 }), undefined]) {
    const refused = await fetch(`${idp.domain}/userinfo`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  }
});

test('issueAccessToken makes tokens that verify exactly like issued ones', async () => {
  const minted = await idp.issueAccessToken({ sub: 'local|ada' });
  const { accessToken } = await login('ada');
  const a = await jwtVerify(minted, jwks, { issuer: idp.issuer, audience: idp.audience });
  const b = await jwtVerify(accessToken, jwks, { issuer: idp.issuer, audience: idp.audience });
  assert.deepEqual(Object.keys(a.payload).sort(), Object.keys(b.payload).sort());
  assert.equal(a.protectedHeader.kid, b.protectedHeader.kid);
  const other = await idp.issueAccessToken({ sub: 'local|ada' }, { audience: 'https://other' });
  await assert.rejects(jwtVerify(other, jwks, { issuer: idp.issuer, audience: idp.audience }), /aud/);
});

test("Auth0's /v2/logout leads to the provider's end-session with the return address", async () => {
  const response = await fetch(`${idp.domain}/v2/logout?client_id=${idp.clientId}&returnTo=${encodeURIComponent(`${pageOrigin}/`)}`, { redirect: 'manual' });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location')!);
  assert.equal(location.pathname, '/oidc/logout');
  assert.equal(location.searchParams.get('post_logout_redirect_uri'), `${pageOrigin}/`);
  const page = await fetch(location);
  assert.equal(page.status, 200);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const fields = new URLSearchParams([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!]));
  if (!fields.has('logout')) fields.set('logout', 'yes');
  const confirmed = await fetch(action!, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: fields });
  assert.equal(confirmed.headers.get('location'), `${pageOrigin}/`, 'back to the page after logging out');
});
