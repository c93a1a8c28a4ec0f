/**
 * One search over X, Mastodon (two instances) and Bluesky, end to end on the local platform with the stand-ins:
 * the demo user's photo is found in each source, the counts agree, a post federated to both instances counts
 * once, and the job ends done; with Bluesky refusing the login the others still finish and the page's status
 * says why Bluesky is missing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import type { RegisterSearchResponse, SearchStatusResponse } from '../actions/lib/types';
import { startIdentityProvider } from '../local/standins/identity';
import { DEMO_HASHTAG, demoBlueskyPosts, demoStatuses, demoTweets } from '../local/standins/demo';
import { startRedisServer } from '../local/redis-server';
import { assertNowhere } from './helpers/secrets';
import { useStack } from './helpers/stack';

const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());

// Every secret a deployment has, so the last test can look for each: a Redis that wants a password, instances
// whose timelines need the access token.
const redisPassword = `redis-${randomBytes(12).toString('hex')}`;
const redis = await startRedisServer({ password: redisPassword });
const mastodonToken = `mastodon-${randomBytes(12).toString('hex')}`;
const { stack, x, register, waitForEnd, activations, mastodon, bluesky } = await useStack({
  x: { tweets: demoTweets() },
  // The second instance has the federated post too (the same status uri), and one post of its own.
  mastodon: [
    // Its media on a host of its own, which only /api/v1/instance names (FINDME_IMAGE_HOSTS lists the instances).
    { statuses: demoStatuses(), accessToken: mastodonToken, separateMediaHost: true },
    { statuses: { [DEMO_HASHTAG]: [{ id: '113000000000000009', username: 'eve', text: 'Stage left #findmedemo', media: [{ type: 'image', file: demoStatusesFile() }] }, demoStatuses()[DEMO_HASHTAG]![0]!] }, accessToken: mastodonToken },
  ],
  bluesky: { posts: demoBlueskyPosts(), appPassword: `app-${randomBytes(12).toString('hex')}` },
  stack: {
    identity: { domain: identity.domain, audience: identity.audience, host: identity.host },
    redisUrl: redis.url,
    env: { FINDME_JOB_STALL_S: '30', MASTODON_ACCESS_TOKEN: mastodonToken },
  },
});
// After the stack's own hooks: the platform stops before its Redis does.
after(() => redis.close());

function demoStatusesFile(): string {
  return demoStatuses()[DEMO_HASHTAG]![3]!.media[0]!.file!;
}

async function search(body: Record<string, unknown>): Promise<{ token: string; jobId: string }> {
  const token = await identity.issueAccessToken({ sub: 'local|ada' });
  const response = await register(token, { hashtag: DEMO_HASHTAG, ...body });
  assert.equal(response.status, 202, await response.clone().text());
  return { token, jobId: ((await response.json()) as RegisterSearchResponse).jobId };
}

const bySource = (final: SearchStatusResponse) => Object.fromEntries((final.sources ?? []).map((s) => [s.source, s]));

test('all three sources: the demo user is found in each, counts agree, the federated post counts once, the job is done', { timeout: 300_000 }, async () => {
  const { token, jobId } = await search({});
  const final = await waitForEnd(token, jobId, 280_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  const sources = bySource(final);
  assert.deepEqual(Object.keys(sources), ['x', 'mastodon', 'bluesky']);
  for (const s of Object.values(sources)) assert.equal(s.status, 'done', JSON.stringify(s));
  // X: 6 photos (demo). Mastodon: 4 on the first instance; the second repeats the federated post (same uri,
  // not counted again) and adds 1. Bluesky: 4 images.
  assert.deepEqual([sources.x!.photos, sources.mastodon!.photos, sources.bluesky!.photos], [6, 5, 4]);
  assert.equal(sources.mastodon!.posts, 6, 'both instances read: 4 posts with media on one (the video too), 2 on the other');
  assert.equal(final.total, 15, 'the total is the sum over the sources');
  assert.deepEqual([final.processed, final.failed], [final.total, 0], `every photo checked: ${JSON.stringify(final.failures)}`);
  assert.equal(mastodon[1]!.mediaServed.filter((u) => u.includes('113000000000000004')).length, 0, "the federated post's copy on the second instance was not fetched");
  const found = final.matches.map((m) => m.source).sort();
  assert.deepEqual(found, ['bluesky', 'mastodon', 'x'], `Ada's team photo in each source: ${JSON.stringify(final.matches.map((m) => m.postUrl))}`);
  const fromMastodon = final.matches.find((m) => m.source === 'mastodon')!;
  assert.deepEqual([fromMastodon.author, fromMastodon.postUrl], ['ari@social.example', 'https://social.example/@ari/113000000000000004']);
  const media = mastodon[0]!.mediaHost;
  assert.ok(media !== mastodon[0]!.host && !stack.env.FINDME_IMAGE_HOSTS!.split(',').includes(media), `${media}: a host only the instance named`);
  assert.equal(new URL(fromMastodon.imageUrl).host, media);
  assert.ok(mastodon[0]!.mediaServed.includes(fromMastodon.imageUrl), 'compare_images downloaded the photo from the media host');
  const fromBluesky = final.matches.find((m) => m.source === 'bluesky')!;
  assert.match(fromBluesky.postUrl, /^https:\/\/bsky\.app\/profile\/ari\.bsky\.social\/post\/3lfindme0003$/);
  assert.equal(fromBluesky.text, 'Look who is in the #findmedemo team photo');
});

test('Bluesky refusing the login: X and Mastodon still finish, the job is done, and the status says why Bluesky is missing', { timeout: 300_000 }, async () => {
  bluesky!.revokeAppPassword();
  const { token, jobId } = await search({ sources: ['bluesky', 'mastodon', 'x'] });
  const final = await waitForEnd(token, jobId, 280_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  const sources = bySource(final);
  assert.deepEqual([sources.x!.status, sources.mastodon!.status, sources.bluesky!.status], ['done', 'done', 'failed']);
  // In words, naming the source once; the error code and the settings to check are in the activation log only.
  assert.equal(sources.bluesky!.note, "refused findme's login");
  assert.equal(final.searchNote, "Bluesky: refused findme's login");
  await activations('bluesky_search', jobId);
  const logs = stack.platform.store.all().filter((r) => r.name === 'bluesky_search').flatMap((r) => r.logs).join('\n');
  assert.match(logs, new RegExp(`job ${jobId}: Bluesky: refused findme's login \\(createSession: HTTP 401: AuthenticationRequired: Invalid identifier or password \\(check BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD\\)\\)`));
  assert.equal(final.total, 11, 'X and Mastodon photos only');
  assert.deepEqual(final.matches.map((m) => m.source).sort(), ['mastodon', 'x']);
});

test("no activation's logs or result and no Redis value holds a source's secret or the Redis password", async () => {
  assert.ok(mastodon.every((m) => m.requests.length > 0 && m.requests.every((r) => r.authorized)), 'the instances were read with the access token');
  assert.ok(bluesky!.identifier && stack.platform.store.all().some((r) => r.name === 'bluesky_search'), 'Bluesky was searched (and its login refused)');
  await assertNowhere(stack, {
    'the X bearer token': x.bearerToken,
    'the Mastodon access token': mastodonToken,
    'the Bluesky app password': bluesky!.appPassword,
    'the Redis password': redisPassword,
    'the Redis URL': redis.url,
  });
});
