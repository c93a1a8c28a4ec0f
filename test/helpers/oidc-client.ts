/**
 * A scripted browser for the authorization-code + PKCE flow against the local identity provider: follows
 * redirects, keeps cookies, posts the login form. For tests and `findme search`'s embedded mode.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface LoginResult {
  accessToken: string;
  idToken: string;
}

class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export async function loginWithPassword(options: { domain: string; clientId: string; audience: string; redirectUri: string; username: string; password: string }): Promise<LoginResult> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL('/authorize', options.domain);
  for (const [k, v] of Object.entries({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: 'openid profile email',
    audience: options.audience,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
  })) {
    authorize.searchParams.set(k, v);
  }
  let url = authorize.href;
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    jar.store(response);
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(options.redirectUri) && next.searchParams.has('code')) {
        const token = await fetch(new URL('/oauth/token', options.domain), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', client_id: options.clientId, code: next.searchParams.get('code')!, redirect_uri: options.redirectUri, code_verifier: verifier }),
          signal: AbortSignal.timeout(10_000),
        });
        const json = (await token.json()) as { access_token?: string; id_token?: string; error?: string; error_description?: string };
        if (!json.access_token || !json.id_token) throw new Error(`token exchange failed: ${json.error}: ${json.error_description}`);
        return { accessToken: json.access_token, idToken: json.id_token };
      }
      if (next.searchParams.has('error')) throw new Error(`authorization failed: ${next.searchParams.get('error')}: ${next.searchParams.get('error_description')}`);
      url = next.href;
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`unexpected page at ${url}: ${response.status} ${html.slice(0, 200)}`);
    if (html.includes('Wrong username or password')) throw new Error('wrong username or password');
    url = new URL(action, url).href;
    body = new URLSearchParams({ username: options.username, password: options.password });
  }
  throw new Error('too many redirects while logging in');
}
