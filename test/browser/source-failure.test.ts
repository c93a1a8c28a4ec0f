/**
 * A source that fails, as the user sees it, in Chromium against `findme start` with all three stand-ins: Bluesky
 * refuses findme's login (its app password revoked), X and Mastodon still finish, and the page says what
 * happened in plain words, naming Bluesky once — no error codes, no setting names (those are in the log).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { logIn, startLocalWithBrowser } from '../helpers/local-page';
import { PROJECT_ROOT } from '../helpers/platform';

const OUTPUT = join(PROJECT_ROOT, 'test', 'output');
mkdirSync(OUTPUT, { recursive: true });

const { running, browser } = await startLocalWithBrowser({}, '');

test("Bluesky refusing findme's login: the page says so once, in words, and shows the other sources' photos", { timeout: 300_000 }, async () => {
  running.bluesky!.revokeAppPassword();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await logIn(page, running.url, 'ada');
  const field = page.getByLabel('Hashtag');
  await field.fill('#findmedemo');
  await field.press('Enter');
  await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 240_000 });
  await page.locator('#exports:not([hidden])').waitFor({ timeout: 30_000 });

  const bluesky = page.locator('#source-progress [data-source="bluesky"]');
  assert.equal(await bluesky.textContent(), "Bluesky: failed · 0 posts read, 0 photos — refused findme's login");
  for (const source of ['x', 'mastodon']) assert.match((await page.locator(`#source-progress [data-source="${source}"]`).textContent()) ?? '', /: done · \d+ posts? read, \d+ photos?$/, source);
  const status = (await page.locator('#status').textContent()) ?? '';
  assert.match(status, /^Done: \d+ of \d+ photos show you\./);
  assert.ok(status.endsWith("Not every post was searched: Bluesky: refused findme's login."), status);

  const text = (await page.locator('body').innerText()) ?? '';
  assert.equal(text.match(/refused findme's login/g)?.length, 2, 'once in the source list, once in the outcome');
  for (const jargon of [/BLUESKY_/, /AuthenticationRequired/, /HTTP \d{3}/, /\b401\b/, /createSession/]) assert.doesNotMatch(text, jargon);
  const sources = await page.locator('.matches .source').allTextContents();
  assert.ok(sources.length > 0 && !sources.includes('Bluesky'), `matches from the other sources only: ${sources.join(', ')}`);
  await page.screenshot({ path: join(OUTPUT, 'source-failed-desktop.png'), fullPage: true });
  await context.close();
});
