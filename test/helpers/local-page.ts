/**
 * `findme start` in the test process on embedded defaults (the local identity provider, the X stand-in with the
 * demo hashtag, a private Redis), with Chromium beside it and a login as a demo user.
 */
import { after } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startLocal, type Running } from '../../local/start';
import { useBrowser } from './browser';
import { PROJECT_ROOT } from './platform';

/**
 * `settings`: variables laid over the environment (e.g. a threshold a test needs); `sources`: FINDME_SOURCES
 * (default x: the counts these tests expect are the X demo's; '': all three stand-ins).
 */
export async function startLocalWithBrowser(settings: Record<string, string> = {}, sources: string | undefined = 'x'): Promise<{ running: Running; browser: Browser }> {
  const env = { ...process.env, ...settings };
  for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_AUDIENCE', 'FINDME_IMAGE_HOSTS', 'FINDME_SOURCES', 'FINDME_MASTODON_INSTANCES', 'BLUESKY_IDENTIFIER']) delete env[name];
  if (sources) env.FINDME_SOURCES = sources;
  const running = await startLocal({ projectRoot: PROJECT_ROOT, port: 0, verbose: false, env, log: () => undefined });
  after(() => running.close());
  return { running, browser: await useBrowser() };
}

/** Logs in through the local identity provider's form as `username` (ada or grace). */
export async function logIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('findme-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 20_000 });
}
