/**
 * The acceptance flow of "Your face, your call" in Chromium against `findme start`: add reference photos (file
 * picker, with a photo of several MB that the page must downsize to a 1024 px JPEG in a request under OpenWhisk's
 * 1 MB, read from the request itself; and drag-and-drop), delete the profile picture's reference, search, see maybes, "Not me" on one and
 * "That's me" on another, reload and find both decisions kept, export exactly the sure and confirmed photos. The
 * maybe band is widened (FINDME_MAYBE_THRESHOLD 0.7), so the demo's strangers show up in it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import sharp from 'sharp';
import type { SearchStatusResponse } from '../../actions/lib/types';
import { demoPhoto, SAMPLE3_FIRST_FACE } from '../../local/standins/demo';
import { logIn, startLocalWithBrowser } from '../helpers/local-page';

const { running, browser } = await startLocalWithBrowser({ FINDME_MAYBE_THRESHOLD: '0.7' });

/** Grace's face from sample3, framed otherwise than her login picture, `side` px, as a phone would send it. */
function gracePhoto(side: number, margin: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const f = SAMPLE3_FIRST_FACE;
  const size = Math.round(Math.max(f.width, f.height) * margin);
  const left = Math.max(0, Math.round(f.x + f.width / 2 - size / 2));
  const top = Math.max(0, Math.round(f.y + f.height / 2 - size / 2));
  const resized = sharp(readFileSync(demoPhoto(3))).extract({ left, top, width: size, height: size }).resize(side, side);
  return (format === 'png' ? resized.png() : resized.jpeg({ quality: 90 })).toBuffer();
}

/** OpenWhisk's request limit, which the page's downsizing keeps an added photo under. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_SIDE = 1024;

test('add references, delete the profile picture, search, review two cards, reload, export the sure and confirmed photos', { timeout: 300_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await logIn(page, running.url, 'grace');
  const faces = page.getByRole('list', { name: 'Your reference faces' }).getByRole('listitem');
  // The first listing works out the login picture's face in a cold container; under load that takes a while.
  await page.locator('[data-reference-id="profile"]').waitFor({ timeout: 120_000 });
  assert.equal(await faces.count(), 1);

  // The file picker: a 2000 px photo of several MB, downsized in the page before upload: what is POSTed is a JPEG
  // of at most 1024 px in a request under 1 MB.
  const picked = await gracePhoto(2000, 1.6, 'png');
  assert.ok(picked.length > 2 * MAX_REQUEST_BYTES, `the picked photo is large: ${picked.length} bytes`);
  const [upload] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && /\/references$/.test(new URL(r.url()).pathname), { timeout: 60_000 }),
    page.locator('#face-file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: picked }),
  ]);
  const body = upload.postDataBuffer()!;
  assert.ok(body.length <= MAX_REQUEST_BYTES, `the request is ${body.length} bytes`);
  const sent = await sharp(Buffer.from((JSON.parse(body.toString('utf8')) as { image: string }).image, 'base64')).metadata();
  assert.deepEqual([sent.format, Math.max(sent.width ?? 0, sent.height ?? 0)], ['jpeg', MAX_SIDE], 'a JPEG, its long side 1024 px');
  await page.locator('#face-list li').nth(1).waitFor({ timeout: 60_000 });
  // Drag and drop onto the panel.
  const dropped = (await gracePhoto(700, 2.2)).toString('base64');
  // In the page's own world (a string: this file is compiled without the DOM's types).
  await page.evaluate(`(() => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(dropped)}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
    document.getElementById('faces').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  })()`);
  await page.locator('#face-list li').nth(2).waitFor({ timeout: 60_000 });
  for (const img of await page.locator('#face-list img').all()) assert.match((await img.getAttribute('src')) ?? '', /^data:image\/jpeg;base64,/);

  await page.locator('[data-reference-id="profile"]').getByRole('button', { name: /^Delete/ }).click();
  await page.locator('[data-reference-id="profile"]').waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(await faces.count(), 2);

  const hashtag = page.getByLabel('Hashtag');
  await hashtag.fill('#findmedemo');
  await hashtag.press('Enter');
  await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 240_000 });
  await page.locator('#exports:not([hidden])').waitFor({ timeout: 30_000 });
  const jobId = new URL(page.url()).searchParams.get('job')!;
  const ofYou = page.getByRole('list', { name: 'Photos of you' }).getByRole('listitem');
  const toCheck = page.getByRole('list', { name: /^Maybe you — check these/ }).getByRole('listitem');
  const sureCount = await ofYou.count();
  assert.ok(sureCount >= 1, 'grace is in sample3');
  const maybeCount = await toCheck.count();
  assert.ok(maybeCount >= 2, `maybes to review: ${maybeCount}`);
  assert.equal(await page.locator('#count-to-check').textContent(), String(maybeCount));
  // The outcome counts the sure ones as photos of you, the maybes apart.
  assert.match((await page.locator('#status').textContent()) ?? '', new RegExp(`^Done: ${sureCount} of 6 photos show you\\. ${maybeCount} more may show you: check ${maybeCount === 1 ? 'it' : 'them'}\\.$`));

  const rejected = (await toCheck.nth(0).getAttribute('data-image-url'))!;
  await toCheck.nth(0).getByRole('button', { name: 'Not me' }).click();
  await page.locator(`[data-image-url="${rejected}"]`).waitFor({ state: 'detached', timeout: 20_000 });
  const confirmed = (await toCheck.nth(0).getAttribute('data-image-url'))!;
  await toCheck.nth(0).getByRole('button', { name: "That's me" }).click();
  const confirmedCard = page.getByRole('list', { name: 'Photos of you' }).locator(`[data-image-url="${confirmed}"]`);
  await confirmedCard.waitFor({ timeout: 20_000 });
  assert.equal(await toCheck.count(), maybeCount - 2);
  assert.equal(await page.locator('#count-to-check').textContent(), String(maybeCount - 2));
  // Its face can join the references: the descriptor is on the server already.
  await confirmedCard.getByRole('button', { name: 'Add this face to my references' }).click();
  await confirmedCard.getByRole('button', { name: 'Added to your references' }).waitFor({ timeout: 60_000 });
  await page.locator('#face-list li').nth(2).waitFor({ timeout: 20_000 });

  await page.reload();
  await page.locator('#exports:not([hidden])').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator(`[data-image-url="${rejected}"]`).count(), 0, 'rejected for good');
  await page.getByRole('list', { name: 'Photos of you' }).locator(`[data-image-url="${confirmed}"]`).waitFor({ timeout: 20_000 });
  assert.equal(await ofYou.count(), sureCount + 1);

  // The export: exactly the sure and the confirmed photos, as the server has them.
  const token = await running.identity!.issueAccessToken({ sub: 'local|grace' });
  const status = (await (await fetch(`${running.stack.apiBase}/search_status?jobId=${jobId}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })).json()) as SearchStatusResponse;
  const expected = status.matches.filter((m) => m.decision === 'me' || (m.band === 'match' && m.decision !== 'not-me')).map((m) => m.imageUrl).sort();
  assert.ok(expected.includes(confirmed) && !expected.includes(rejected));
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  // The matches' rows: after the header, before the appendix of unchecked photos (after an empty line).
  const rows = readFileSync((await csv.path())!, 'utf8').split('\r\n\r\n')[0]!.trim().split('\r\n').slice(1);
  const urls = rows.map((r) => r.split(',')[2]!).sort();
  assert.deepEqual(urls, expected);
  await context.close();
});
