/**
 * "My searches" and cancel in Chromium, on a phone-sized screen: a running search is cancelled (the photos not yet
 * checked are skipped, the count stops), an empty one runs after it, the list shows both newest first, and the
 * first reopens; then the same page at desktop size.
 * Screenshots in test/output/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { logIn, startLocalWithBrowser } from '../helpers/local-page';
import { PROJECT_ROOT } from '../helpers/platform';

const OUTPUT = join(PROJECT_ROOT, 'test', 'output');
mkdirSync(OUTPUT, { recursive: true });

const { running, browser } = await startLocalWithBrowser();

test('cancel stops a running search; "My searches" lists two searches newest first and reopens the first', { timeout: 240_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await logIn(page, running.url, 'grace');
  const history = page.getByRole('list', { name: 'My searches' });
  await page.getByText('No searches yet.').waitFor({ timeout: 20_000 });

  const field = page.getByLabel('Hashtag');
  await field.fill('#findmedemo');
  await field.press('Enter');
  const cancel = page.getByRole('button', { name: 'Cancel this search' });
  await cancel.waitFor({ timeout: 60_000 });
  // Cancelled once the post search has counted its 6 photos (while the face engine warms up), so the outcome
  // reads "of 6": a cancel before the count is final stops at whatever was counted (CI, under load, did that).
  await page.locator('#count-total').filter({ hasText: /^6$/ }).waitFor({ timeout: 60_000 });
  await cancel.click();
  const cancelled = page.getByRole('status').filter({ hasText: /^Cancelled after \d of 6 photos: \d show you\.$/ });
  await cancelled.waitFor({ timeout: 60_000 });
  const checked = Number(await page.locator('#count-checked').textContent());
  assert.ok(checked < 6, `the search stopped before its last photo (${checked} of 6 checked)`);
  assert.equal(await cancel.isHidden(), true);
  const firstJob = new URL(page.url()).searchParams.get('job');
  await page.screenshot({ path: join(OUTPUT, 'cancelled-phone.png'), fullPage: true });

  await field.fill('#nobodypostedhere');
  await field.press('Enter');
  await page.getByRole('status').filter({ hasText: 'No posts with photos under #nobodypostedhere in the last 7 days on X.' }).waitFor({ timeout: 60_000 });
  const items = history.getByRole('listitem');
  await items.nth(1).waitFor({ timeout: 20_000 });
  assert.equal(await items.count(), 2);
  assert.match((await items.nth(0).textContent()) ?? '', /^#nobodypostedhere .+ Done: no posts with photos\.$/);
  assert.match((await items.nth(1).textContent()) ?? '', /^#findmedemo .+ Cancelled after \d of 6 photos: \d found\.$/);
  assert.equal(await items.nth(1).getAttribute('data-job-id'), firstJob);
  // The cancelled search stays where it stopped.
  assert.match((await items.nth(1).textContent()) ?? '', new RegExp(`Cancelled after ${checked} of 6`));

  await items.nth(1).getByRole('link', { name: '#findmedemo' }).click();
  await cancelled.waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#results-title').textContent(), '#findmedemo');
  assert.equal(await field.inputValue(), '#findmedemo');
  assert.equal(new URL(page.url()).searchParams.get('job'), firstJob);

  const [documentWidth, viewportWidth] = await page.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
  assert.equal(documentWidth, viewportWidth, 'nothing wider than the phone');
  await page.screenshot({ path: join(OUTPUT, 'my-searches-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });
  assert.equal(await items.count(), 2);
  await page.screenshot({ path: join(OUTPUT, 'my-searches-desktop.png'), fullPage: true });
  await context.close();
});
