/**
 * OpenWhisk answers throttling (429), oversized requests (413) and wrong names (404) before its web layer adds
 * CORS headers: in Chromium the page sees a network error. Against a real HTTP server on 127.0.0.1 that answers
 * every request 429 without CORS headers, the page says the platform refused the request; against a port where
 * nothing listens, that findme cannot be reached.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PageConfig } from '../../actions/lib/types';
import { REFUSED_WITHOUT_CORS } from '../../client/api';
import { freePort } from '../../local/free-port';
import { startPageServer } from '../../local/page-server';
import { startIdentityProvider } from '../../local/standins/identity';
import { useBrowser } from '../helpers/browser';
import { logIn } from '../helpers/local-page';
import { PROJECT_ROOT } from '../helpers/platform';

// What OpenWhisk's throttle answers: a 429 with a JSON body, and no Access-Control-Allow-Origin.
const seen: string[] = [];
const throttled = createServer((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  const body = JSON.stringify({ error: 'Too many requests in the last minute (count: 61, allowed: 60).', code: 'x' });
  res.writeHead(429, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((resolve) => throttled.listen(0, '127.0.0.1', resolve));
after(() => new Promise((resolve) => throttled.close(resolve)));
const throttledOrigin = `http://127.0.0.1:${(throttled.address() as AddressInfo).port}`;
const nowhere = `http://127.0.0.1:${await freePort()}`;

let apiOrigin = throttledOrigin;
const ready: { auth0?: PageConfig['auth0']; identityOrigin?: string } = {};
const page = await startPageServer({
  root: join(PROJECT_ROOT, 'dist', 'web'),
  port: 0,
  config: () => (ready.auth0 ? { apiBase: `${apiOrigin}/api/v1/web/guest/findme`, auth0: ready.auth0 } : undefined),
  connectOrigins: () => [throttledOrigin, nowhere, ready.identityOrigin ?? ''],
  imageHosts: () => [],
});
after(() => page.close());
const identity = await startIdentityProvider({ pageOrigins: [page.origin] });
after(() => identity.close());
ready.auth0 = { domain: identity.domain, clientId: identity.clientId, audience: identity.audience };
ready.identityOrigin = new URL(identity.domain).origin;
const browser = await useBrowser();

test('a refusal without CORS headers says the platform refused it; a host that is down says it cannot be reached', { timeout: 120_000 }, async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await logIn(tab, page.url, 'ada');
  const search = async () => {
    await tab.getByLabel('Hashtag').fill('#findmedemo');
    await tab.getByLabel('Hashtag').press('Enter');
  };

  await search();
  const refused = tab.getByRole('alert').filter({ hasText: 'The platform findme runs on refused the request (throttled, too large, or not found)' });
  await refused.waitFor({ timeout: 30_000 });
  assert.equal(await refused.textContent(), REFUSED_WITHOUT_CORS);
  assert.ok(seen.some((line) => line.includes('/register_search')), `the search reached the server: ${seen.join(', ')}`);
  assert.ok(seen.includes('GET /'), 'the probe asked the host root');

  // The same page with the API on a port where nothing listens.
  apiOrigin = nowhere;
  await tab.reload();
  await tab.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 20_000 });
  await search();
  await tab.getByRole('alert').filter({ hasText: "Can't reach findme right now." }).waitFor({ timeout: 30_000 });
  await context.close();
});
