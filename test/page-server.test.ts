/**
 * The page server of `findme start`: it listens before the API and the identity provider are up (the provider
 * needs the page's origin), so until then config.json says "still starting" and the page waits for it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PageConfig } from '../actions/lib/types';
import { startPageServer } from '../local/page-server';
import { loadPageConfig } from '../client/api';
import { ConfigError } from '../client/config';

const root = mkdtempSync(join(tmpdir(), 'findme-page-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>findme</title>');
after(() => rmSync(root, { recursive: true, force: true }));

const config: PageConfig = { apiBase: 'http://127.0.0.1:1/api/v1/web/guest/findme', auth0: { domain: 'http://127.0.0.1:2', clientId: 'spa', audience: 'https://findme.local/api' } };

async function pageServer(ready: { config?: PageConfig }) {
  const page = await startPageServer({ root, config: () => ready.config, connectOrigins: () => [], imageHosts: () => [] });
  after(() => page.close());
  return page;
}

test('until the stack is up, config.json is a 503 with Retry-After; the page waits for it and then gets the config', async () => {
  const ready: { config?: PageConfig } = {};
  const page = await pageServer(ready);
  const early = await fetch(`${page.url}config.json`);
  assert.equal(early.status, 503);
  assert.equal(early.headers.get('retry-after'), '1');
  assert.equal(early.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await early.json(), { error: 'findme is still starting' });

  const loading = loadPageConfig(page.url);
  setTimeout(() => (ready.config = config), 1200);
  assert.deepEqual(await loading, config);
});

test('a server that stays "starting" is given up on after the wait, with the status said', async () => {
  const page = await pageServer({});
  const started = Date.now();
  await assert.rejects(loadPageConfig(page.url, 1500), (error: unknown) => error instanceof ConfigError && /fetching it answered HTTP 503$/.test(error.message));
  assert.ok(Date.now() - started < 10_000, 'bounded');
});
