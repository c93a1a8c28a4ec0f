import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startLocal } from '../../local/start';
import { useBrowser } from '../helpers/browser';
import { PROJECT_ROOT } from '../helpers/platform';

const OUTPUT = join(PROJECT_ROOT, 'test', 'output');
mkdirSync(OUTPUT, { recursive: true });

const env = { ...process.env };
for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_AUDIENCE', 'FINDME_IMAGE_HOSTS']) delete env[name];
const running = await startLocal({ projectRoot: PROJECT_ROOT, port: 0, verbose: false, env, log: () => undefined });
after(() => running.close());
const browser = await useBrowser();

async function logIn(page: Page, username: string): Promise<void> {
  await page.goto(running.url);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('findme-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 20_000 });
}

let firstJob = '';

test('log in, search the demo hashtag, watch it finish, see exactly the expected match, export it, log out', { timeout: 280_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.hostname !== '127.0.0.1' && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob')) outside.push(request.url());
  });
  await logIn(page, 'ada');
  await assert.doesNotReject(page.getByText('Ada Demo').waitFor());
  assert.match((await page.locator('#user-picture').getAttribute('src')) ?? '', /\/pictures\/local%7Cada\.jpg$/);

  await page.getByLabel('Hashtag').fill('#findmedemo');
  await page.getByRole('button', { name: 'Search' }).click();
  const progress = page.getByRole('progressbar');
  await progress.waitFor();
  await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 240_000 });
  await page.getByText(/^Done:/).waitFor({ timeout: 20_000 });
  firstJob = new URL(page.url()).searchParams.get('job') ?? '';
  assert.match(firstJob, /^[0-9a-f-]{36}$/);

  const matches = page.getByRole('list', { name: 'Matches' }).getByRole('listitem');
  assert.equal(await matches.count(), 1);
  assert.equal(await matches.first().getAttribute('data-tweet-id'), '1900000000000000005');
  const outline = matches.first().locator('.face');
  const style = (await outline.getAttribute('style')) ?? '';
  const left = parseFloat(/left:\s*([\d.]+)%/.exec(style)?.[1] ?? 'NaN');
  const top = parseFloat(/top:\s*([\d.]+)%/.exec(style)?.[1] ?? 'NaN');
  assert.ok(Math.abs(left - (414 / 1920) * 100) < 3 && Math.abs(top - (355 / 1280) * 100) < 4, `face outline at ${left}%, ${top}%`);
  assert.match((await matches.first().getByRole('link', { name: 'View post' }).getAttribute('href')) ?? '', /^https:\/\/x\.com\/bo\/status\/1900000000000000005$/);
  assert.match((await matches.first().textContent()) ?? '', /\d+% similar/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download Markdown' }).click()]);
  const markdown = readFileSync((await download.path())!, 'utf8');
  const rows = markdown.split('\n').filter((line) => line.startsWith('| ['));
  assert.equal(rows.length, 1);
  assert.match(rows[0]!, /^\| \[1900000000000000005\]\(https:\/\/x\.com\/bo\/status\/1900000000000000005\) \| !\[photo\]\(http:\/\/127\.0\.0\.1:\d+\/media\/3_101\.jpg\) \| \d+ % \|$/);
  assert.equal(download.suggestedFilename(), 'findme-findmedemo.md');

  await page.waitForTimeout(500); // the progress bar's fill animates to 100 %
  await page.screenshot({ path: join(OUTPUT, 'results-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(OUTPUT, 'results-phone.png'), fullPage: true });
  assert.deepEqual(outside, [], 'the page asks nothing of any host but its own, the API and the identity provider');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole('button', { name: 'Log out' }).isHidden(), true);
  assert.equal(await page.getByLabel('Hashtag').isHidden(), true, 'the search form is for logged-in users');
  await context.close();
});

test("a second user cannot see the first user's search: not found", { timeout: 60_000 }, async () => {
  assert.ok(firstJob, 'the first test ran a search');
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, 'grace');
  await page.goto(`${running.url}?job=${firstJob}`);
  await page.getByRole('status').filter({ hasText: /not found/i }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole('list', { name: 'Matches' }).getByRole('listitem').count(), 0);
  await context.close();
});
