/**
 * The page's own behaviour in Debian's Chromium: served under a sub-path by a plain static host, with a wrong or
 * missing config.json; and logging in again after the session ended mid-search, against the local wiring.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startLocal } from '../local/start';
import { WEB_OUT } from '../build/build';
import { useBrowser } from './helpers/browser';
import { PROJECT_ROOT } from './helpers/platform';

const browser = await useBrowser();

const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css', svg: 'image/svg+xml', json: 'application/json' };

/**
 * A static host that serves dist/web under /tools/findme/ (nothing at the root), its config.json from `config`,
 * and records every path asked of it. /authorize stands in for the identity provider's login page.
 */
async function subPathHost(config: () => unknown): Promise<{ origin: string; asked: string[]; server: Server }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    asked.push(url.pathname);
    const send = (status: number, type: string, body: string | Buffer) => res.writeHead(status, { 'content-type': type }).end(body);
    if (url.pathname === '/authorize') return send(200, 'text/html', '<!doctype html><title>login</title><p>login page</p>');
    if (url.pathname === '/tools/findme/config.json') {
      const body = config();
      return body === undefined ? send(404, 'text/html', '<!doctype html><p>Not Found</p>') : send(200, 'application/json', JSON.stringify(body));
    }
    const name = url.pathname === '/tools/findme/' ? 'index.html' : url.pathname.replace(/^\/tools\/findme\//, '');
    if (!/^[\w-]+\.(html|js|css|svg)$/.test(name) || !url.pathname.startsWith('/tools/findme/')) return send(404, 'text/plain', 'not found');
    readFile(join(WEB_OUT, name)).then(
      (body) => send(200, TYPES[name.split('.').pop()!]!, body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, asked, server };
}

test('under a sub-path, a missing or foreign config.json is told as such', { timeout: 60_000 }, async () => {
  const served: { config?: unknown } = {};
  const host = await subPathHost(() => served.config);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${host.origin}/tools/findme/?job=x`);
  await page.getByRole('alert').filter({ hasText: "findme could not start: config.json is missing or not findme's config: fetching it answered HTTP 404" }).waitFor();
  // The stylesheet and script came from beside the page, not from the site root. Chromium asks for the icon
  // whenever it likes (often after the page has settled), so the icon is checked where it resolves, not by waiting.
  for (const asset of ['style.css', 'app.js']) assert.ok(host.asked.includes(`/tools/findme/${asset}`), `${asset}: asked ${host.asked.join(', ')}`);
  const icon: unknown = await page.evaluate("document.querySelector('link[rel=icon]')?.href");
  assert.equal(icon, `${host.origin}/tools/findme/favicon.svg`);
  assert.deepEqual(host.asked.filter((p) => !p.startsWith('/tools/findme/')), [], 'nothing asked of the site root');

  served.config = { apiBase: 'https://api.example/findme', auth0: { domain: host.origin } };
  await page.reload();
  await page.getByRole('alert').filter({ hasText: "config.json is missing or not findme's config: auth0.clientId is not a string" }).waitFor();
  await context.close();
});

test('under a sub-path, logging in comes back to the page where it is', { timeout: 60_000 }, async () => {
  const host = await subPathHost(() => ({ apiBase: 'https://api.example/findme', auth0: { domain: host.origin, clientId: 'c', audience: 'https://api.example' } }));
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${host.origin}/tools/findme/?job=x#top`);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('login page').waitFor();
  const authorize = new URL(page.url());
  assert.equal(authorize.pathname, '/authorize');
  assert.equal(authorize.searchParams.get('redirect_uri'), `${host.origin}/tools/findme/`);
  await context.close();
});

test('after the session ends mid-search, logging in again follows the same search', { timeout: 120_000 }, async () => {
  const env = { ...process.env };
  for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_AUDIENCE', 'FINDME_IMAGE_HOSTS']) delete env[name];
  const running = await startLocal({ projectRoot: PROJECT_ROOT, port: 0, verbose: false, env, log: () => undefined });
  after(() => running.close());

  // Ada's search of a hashtag without photos: it is hers, and it ends at once (no posts with photos).
  const token = await running.identity!.issueAccessToken({ sub: 'local|ada' });
  const registered = await fetch(`${running.stack.apiBase}/register_search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ hashtag: 'nobodypostedhere' }),
    signal: AbortSignal.timeout(20_000),
  });
  assert.equal(registered.status, 202);
  const { jobId } = (await registered.json()) as { jobId: string };

  const context = await browser.newContext();
  const page = await context.newPage();
  const logIn = async (p: Page) => {
    await p.getByLabel('Username').fill('ada');
    await p.getByLabel('Password').fill('findme-demo');
    await p.getByRole('button', { name: 'Log in' }).click();
  };
  await page.goto(running.url);
  await page.getByRole('button', { name: 'Log in' }).click();
  await logIn(page);
  await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 20_000 });

  // The session ends: the stored access token is no longer one the API accepts, and the provider forgot Ada.
  await page.evaluate(() => {
    // The page's localStorage (this runs in the browser; the test's own types have no DOM).
    const localStorage = (globalThis as unknown as { localStorage: Record<string, string> & { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage;
    for (const key of Object.keys(localStorage)) {
      const entry = JSON.parse(localStorage.getItem(key) ?? 'null') as { body?: { access_token?: string } } | null;
      if (entry?.body?.access_token) localStorage.setItem(key, JSON.stringify({ ...entry, body: { ...entry.body, access_token: 'expired' } }));
    }
  });
  await context.clearCookies();
  await page.goto(`${running.url}?job=${jobId}`);
  await page.getByRole('alert').filter({ hasText: /^Your session has expired\. Log in again\./ }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole('button', { name: 'Log out' }).isHidden(), true);
  assert.equal(await page.getByLabel('Hashtag').isHidden(), true, 'no search form without a login');

  await page.getByRole('button', { name: 'Log in' }).click();
  await logIn(page);
  await page.getByRole('status').filter({ hasText: /^No posts with photos under #nobodypostedhere in the last 7 days on X, on Mastodon or on Bluesky\.$/ }).waitFor({ timeout: 30_000 });
  assert.equal(new URL(page.url()).searchParams.get('job'), jobId, 'the address names the search again');
  assert.equal(await page.getByRole('alert').textContent(), '', 'the old error is gone');
  await context.close();
});
