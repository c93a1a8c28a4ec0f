import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { SearchStatusResponse } from '../../actions/lib/types';
import { boxPercent } from '../../client/box';
import { logIn as logInAs, startLocalWithBrowser } from '../helpers/local-page';
import { PROJECT_ROOT } from '../helpers/platform';

const OUTPUT = join(PROJECT_ROOT, 'test', 'output');
mkdirSync(OUTPUT, { recursive: true });

const { running, browser } = await startLocalWithBrowser({}, '');

const logIn = (page: Page, username: string) => logInAs(page, running.url, username);

let firstJob = '';

/** The outline's position and size as the page set them, in percent of the photo. */
async function outlineOf(page: Page, postId: string): Promise<Record<'left' | 'top' | 'width' | 'height', number>> {
  const style = (await page.locator(`[data-post-id="${postId}"] .face`).getAttribute('style')) ?? '';
  const read = (name: string) => parseFloat(new RegExp(`(?:^|;)\\s*${name}:\\s*([\\d.]+)%`).exec(style)?.[1] ?? 'NaN');
  return { left: read('left'), top: read('top'), width: read('width'), height: read('height') };
}

test('log in, search the demo hashtag, watch it finish, see exactly the expected match, export it, log out', { timeout: 280_000 }, async () => {
  // Reduced motion: the progress bar's fill does not animate, so the screenshot shows where it is.
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.hostname !== '127.0.0.1' && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob')) outside.push(request.url());
  });
  await logIn(page, 'ada');
  await assert.doesNotReject(page.getByText('Ada Demo').waitFor());
  assert.match((await page.locator('#user-picture').getAttribute('src')) ?? '', /\/pictures\/local%7Cada\.jpg$/);

  // A hashtag the server refuses: its own words are shown.
  const hashtag = page.getByLabel('Hashtag');
  await hashtag.fill('#a b');
  await hashtag.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'A hashtag is one word of letters, digits and underscores, like #jsconfeu.' }).waitFor({ timeout: 20_000 });

  // Every source set up is offered, all ticked; this search reads X only (the other two are the pipeline test's).
  for (const name of ['X', 'Mastodon', 'Bluesky']) assert.equal(await page.getByLabel(name, { exact: true }).isChecked(), true, name);
  await page.getByLabel('Mastodon', { exact: true }).uncheck();
  await page.getByLabel('Bluesky', { exact: true }).uncheck();

  // The search itself, from the keyboard.
  await hashtag.fill('#findmedemo');
  await hashtag.press('Enter');
  const progress = page.getByRole('progressbar');
  await progress.waitFor();
  assert.equal(await progress.getAttribute('aria-valuemax'), '100');
  await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 240_000 });
  await page.getByRole('status').filter({ hasText: /^Done: 1 of 6 photos show you\.$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#count-checked').textContent(), '6');
  assert.equal(await page.locator('#count-total').textContent(), '6');
  assert.equal(await page.locator('#count-matched').textContent(), '1');
  assert.equal(await page.locator('#count-failed').textContent(), '0');
  assert.equal(await page.getByRole('list', { name: 'Progress per source' }).textContent(), 'X: done · 6 posts read, 6 photos', 'one line per source asked for');
  firstJob = new URL(page.url()).searchParams.get('job') ?? '';
  assert.match(firstJob, /^[0-9a-f-]{36}$/);

  const matches = page.getByRole('list', { name: 'Photos of you' }).getByRole('listitem');
  assert.equal(await matches.count(), 1);
  assert.equal(await matches.first().getAttribute('data-post-id'), '1900000000000000005');
  assert.match((await matches.first().getByRole('img').getAttribute('src')) ?? '', /^http:\/\/127\.0\.0\.1:\d+\/media\/3_101\.jpg$/);
  assert.match((await matches.first().getByRole('link', { name: 'View post' }).getAttribute('href')) ?? '', /^https:\/\/x\.com\/bo\/status\/1900000000000000005$/);
  assert.match((await matches.first().textContent()) ?? '', /\d+% similar · X · bo · 2025-03-13 · View post“?Same photo, posted again #findmedemo/);

  // The outline is the server's box, scaled to the photo; and that box is Ada's face in sample1 (414,355 177×240 of 1920×1280).
  const token = await running.identity!.issueAccessToken({ sub: 'local|ada' });
  const status = (await (await fetch(`${running.stack.apiBase}/search_status?jobId=${firstJob}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })).json()) as SearchStatusResponse;
  const [match] = status.matches;
  const expected = boxPercent(match!.box, match!.imageWidth, match!.imageHeight);
  const outline = await outlineOf(page, '1900000000000000005');
  for (const side of ['left', 'top', 'width', 'height'] as const) assert.ok(Math.abs(outline[side] - expected[side]) < 0.01, `${side}: ${outline[side]} % on the page, ${expected[side]} % from the box`);
  const face = { left: (414 / 1920) * 100, top: (355 / 1280) * 100, width: (177 / 1920) * 100, height: (240 / 1280) * 100 };
  for (const side of ['left', 'top', 'width', 'height'] as const) assert.ok(Math.abs(outline[side] - face[side]) < 3, `${side}: ${outline[side]} % is not Ada's face (${face[side]} %)`);

  // The lightbox, from the keyboard: Enter on the card's photo opens it at full size with the face outlined;
  // Escape closes it and focus returns to the card.
  const opener = matches.first().getByRole('button', { name: /^Open the photo from post 1900000000000000005 at full size$/ });
  await opener.focus();
  await page.keyboard.press('Enter');
  const lightbox = page.getByRole('dialog', { name: 'Photo at full size' });
  await lightbox.waitFor({ timeout: 10_000 });
  assert.equal(await lightbox.getByRole('img').getAttribute('src'), await matches.first().getByRole('img').getAttribute('src'));
  assert.equal(await page.evaluate<string | undefined>('document.activeElement?.id'), 'lightbox-close');
  const big = await page.locator('#lightbox-face').boundingBox();
  const frame = await page.locator('#lightbox-frame').boundingBox();
  assert.ok(big && frame && Math.abs(big.x - frame.x - (frame.width * expected.left) / 100) < 2, 'the outline sits on the face in the full-size photo');
  await page.screenshot({ path: join(OUTPUT, 'lightbox-desktop.png') });
  await page.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'hidden', timeout: 10_000 });
  assert.equal(await opener.evaluate((node) => node === node.ownerDocument.activeElement), true, 'focus is back on the card');

  const [markdownDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download Markdown' }).click()]);
  const markdown = readFileSync((await markdownDownload.path())!, 'utf8');
  const rows = markdown.split('\n').filter((line) => line.startsWith('| ['));
  assert.equal(rows.length, 1);
  assert.match(rows[0]!, /^\| \[1900000000000000005\]\(https:\/\/x\.com\/bo\/status\/1900000000000000005\) \| X \| bo \| 2025-03-13 \| Same photo, posted again #findmedemo \| !\[photo\]\(http:\/\/127\.0\.0\.1:\d+\/media\/3_101\.jpg\) \| \d+ % \|$/);
  assert.equal(markdownDownload.suggestedFilename(), 'findme-findmedemo.md');
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  const csv = readFileSync((await csvDownload.path())!, 'utf8').split('\r\n');
  assert.equal(csv.length, 3, 'header, one row, and the final line break');
  assert.match(csv[1]!, new RegExp(`^1900000000000000005,https://x\\.com/bo/status/1900000000000000005,http://127\\.0\\.0\\.1:\\d+/media/3_101\\.jpg,\\d+,[\\d.]+,${match!.box.x},${match!.box.y},${match!.box.width},${match!.box.height},x,bo,2025-03-13T01:44:34\\.949Z,"Same photo, posted again #findmedemo"$`));

  // The trip report: opened as the file it is, it runs no script and holds the match's post link and photo.
  const [reportDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download trip report (HTML)' }).click()]);
  assert.equal(reportDownload.suggestedFilename(), 'findme-findmedemo.html');
  // Saved under its name: a download's temporary file has no extension, and Chromium reads that as text.
  const reportFile = join(OUTPUT, 'trip-report.html');
  await reportDownload.saveAs(reportFile);
  const reportPage = await context.newPage();
  await reportPage.goto(`file://${reportFile}`);
  assert.equal(await reportPage.locator('script').count(), 0);
  assert.equal(await reportPage.getByRole('heading', { level: 1 }).textContent(), 'Photos of me at #findmedemo');
  assert.equal(await reportPage.getByRole('link', { name: 'https://x.com/bo/status/1900000000000000005' }).getAttribute('href'), 'https://x.com/bo/status/1900000000000000005');
  assert.match((await reportPage.getByRole('img').getAttribute('src')) ?? '', /\/media\/3_101\.jpg$/);
  await reportPage.screenshot({ path: join(OUTPUT, 'trip-report.png'), fullPage: true });
  await reportPage.close();

  await page.screenshot({ path: join(OUTPUT, 'results-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const [pageWidth, phoneWidth] = await page.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
  assert.equal(pageWidth, phoneWidth, 'the results fit a phone: nothing wider than the screen');
  await page.screenshot({ path: join(OUTPUT, 'results-phone.png'), fullPage: true });
  // On a phone, a tap opens the lightbox; the photo and its outline fit the screen; Escape closes it.
  await opener.click();
  await lightbox.waitFor({ timeout: 10_000 });
  const phoneFrame = await page.locator('#lightbox-frame').boundingBox();
  const phoneFace = await page.locator('#lightbox-face').boundingBox();
  assert.ok(phoneFrame && phoneFrame.x >= 0 && phoneFrame.x + phoneFrame.width <= 390, `the photo fits the phone: ${JSON.stringify(phoneFrame)}`);
  assert.ok(phoneFace && phoneFrame && Math.abs(phoneFace.x - phoneFrame.x - (phoneFrame.width * expected.left) / 100) < 2, 'the outline sits on the face on a phone too');
  await page.screenshot({ path: join(OUTPUT, 'lightbox-phone.png') });
  await page.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'hidden', timeout: 10_000 });
  assert.equal(await opener.evaluate((node) => node === node.ownerDocument.activeElement), true, 'focus is back on the card');
  // The trip report on a phone: no sideways scrolling.
  const phoneReport = await context.newPage();
  await phoneReport.setViewportSize({ width: 390, height: 844 });
  await phoneReport.goto(`file://${reportFile}`);
  const [reportWidth, reportViewport] = await phoneReport.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
  assert.equal(reportWidth, reportViewport, 'the trip report fits a phone');
  await phoneReport.screenshot({ path: join(OUTPUT, 'trip-report-phone.png'), fullPage: true });
  await phoneReport.close();
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
  await logIn(await context.newPage(), 'grace');
  // Her cookies without the page's stored tokens, as when the access token has expired: the SDK renews it in a
  // hidden iframe (prompt=none, response_mode=web_message) from the provider's session, with no login form.
  const { cookies } = await context.storageState();
  await context.close();
  const renewed = await browser.newContext({ storageState: { cookies, origins: [] } });
  const page = await renewed.newPage();
  await page.goto(`${running.url}?job=${firstJob}`);
  await page.getByText('Grace Demo').waitFor({ timeout: 20_000 });
  await page.getByRole('alert').filter({ hasText: /not found/i }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole('list', { name: 'Photos of you' }).getByRole('listitem').count(), 0);
  await renewed.close();
});
