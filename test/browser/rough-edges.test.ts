/**
 * The rough edges a newcomer hits, in Chromium at desktop and phone sizes: the shared hashtag rule and its words,
 * nothing wider than the screen, an empty search that says what happened, the bar ending with "Done", the
 * hashtag kept on reload. Screenshots of each state in test/output/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { checkHashtag } from '../../actions/lib/hashtag-rule';
import { logIn as logInAs, startLocalWithBrowser } from '../helpers/local-page';
import { PROJECT_ROOT } from '../helpers/platform';

const OUTPUT = join(PROJECT_ROOT, 'test', 'output');
mkdirSync(OUTPUT, { recursive: true });

const { running, browser } = await startLocalWithBrowser();

const SIZES = { desktop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;

const logIn = (page: Page, username: string) => logInAs(page, running.url, username);

/** Nothing overflows: the document is exactly as wide as the viewport. */
async function assertNoOverflow(page: Page, what: string): Promise<void> {
  const [documentWidth, viewportWidth] = await page.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
  assert.equal(documentWidth, viewportWidth, `${what}: the document is ${documentWidth} px wide in a ${viewportWidth} px viewport`);
}

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`${size}: a 150-character hashtag is refused in the CLI's words; an empty search says no posts were found; the field keeps it on reload`, { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await logIn(page, 'ada');
    const field = page.getByLabel('Hashtag');

    const long = `#${'a'.repeat(150)}`;
    await field.fill(long);
    assert.equal(await field.inputValue(), long, 'nothing is cut silently');
    await field.press('Enter');
    const refusal = checkHashtag(long);
    assert.ok(!refusal.ok);
    await page.getByRole('alert').filter({ hasText: refusal.message }).waitFor({ timeout: 10_000 });
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await assertNoOverflow(page, 'refused hashtag');
    await page.screenshot({ path: join(OUTPUT, `rough-long-hashtag-${size}.png`), fullPage: true });

    // The longest hashtag allowed, with no posts: one long word in the title and the status line.
    const empty = `nobody${'x'.repeat(94)}`;
    await field.fill(`#${empty}`);
    await field.press('Enter');
    const said = page.getByRole('status').filter({ hasText: `No posts with photos under #${empty} in the last 7 days on X.` });
    await said.waitFor({ timeout: 60_000 });
    // The bar is drawn at its end at once, not still sliding under the outcome.
    const [fill, bar] = await Promise.all([page.locator('#progress-fill').boundingBox(), page.locator('#progress').boundingBox()]);
    assert.equal(fill?.width, bar?.width);
    assert.equal(await page.locator('#no-matches').isHidden(), true, 'no "No photos of you yet." beside "no posts"');
    await assertNoOverflow(page, 'empty search');
    await page.screenshot({ path: join(OUTPUT, `rough-empty-search-${size}.png`), fullPage: true });

    await page.reload();
    await said.waitFor({ timeout: 30_000 });
    assert.equal(await field.inputValue(), `#${empty}`);

    // A long ?job= value is not echoed: the alert says what happened and the page keeps its width.
    await page.goto(`${running.url}?job=${'f'.repeat(400)}`);
    await page.getByRole('alert').filter({ hasText: /^Search not found: it may have expired/ }).waitFor({ timeout: 20_000 });
    assert.doesNotMatch((await page.getByRole('alert').textContent()) ?? '', /f{20}/);
    await assertNoOverflow(page, 'long job id');
    await page.screenshot({ path: join(OUTPUT, `rough-long-job-${size}.png`), fullPage: true });
    await context.close();
  });
}
