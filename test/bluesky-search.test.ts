/**
 * bluesky_search in-process against real parts: a private Redis, the Bluesky stand-in (a real HTTP server on
 * 127.0.0.1) and a local platform recording the fired batches. Each fault ends with the source's note, the job's
 * other source unaffected, and the job able to finish.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { main } from '../actions/bluesky_search';
import { redisConfig } from '../actions/lib/config';
import { openJobStore } from '../actions/lib/store';
import { closeRedis } from '../actions/lib/store/redis';
import type { JobRecord, Source } from '../actions/lib/types';
import { demoPhoto } from '../local/standins/demo';
import { startFakeBluesky, type FakeBlueskyOptions, type FakeBlueskyPost } from '../local/standins/bluesky';
import { loggedWhile } from './helpers/console';
import { useFirePlatform } from './helpers/platform';
import { useRedis } from './helpers/redis';

const redis = await useRedis();
const { fired } = await useFirePlatform();
after(() => closeRedis());
const store = openJobStore(redisConfig({ REDIS_URL: redis.url }));

async function bluesky(options: FakeBlueskyOptions) {
  const server = await startFakeBluesky(options);
  after(() => server.close());
  return server;
}

const posts = (n: number): FakeBlueskyPost[] => Array.from({ length: n }, (_, i) => ({ rkey: `3l${String(n - i).padStart(6, '0')}`, handle: `p${i % 5}.bsky.social`, text: `day ${i} #conf`, images: [demoPhoto(((i % 6) + 1) as 1)] }));

async function newJob(sources: Source[] = ['bluesky', 'x']): Promise<JobRecord> {
  return store.create({ owner: 'auth0|b', hashtag: 'conf', pictureUrl: 'https://pbs.twimg.com/p.jpg', sources });
}

function search(job: JobRecord, server: { origin: string; host: string; identifier: string; appPassword: string }, extra: Record<string, unknown> = {}) {
  return main({ jobId: job.id, REDIS_URL: redis.url, BLUESKY_SERVICE: server.origin, BLUESKY_IDENTIFIER: server.identifier, BLUESKY_APP_PASSWORD: server.appPassword, FINDME_IMAGE_HOSTS: server.host, FINDME_PHOTOS_PER_EVENT: 100, ...extra });
}

async function failedWith(job: JobRecord, note: RegExp): Promise<void> {
  const after = await store.require(job.id);
  assert.equal(after.sources[0]!.status, 'failed');
  assert.match(after.sources[0]!.note ?? '', note);
  assert.equal(after.status, 'searching', 'the job waits for X');
  const ended = await store.finishSource(job.id, 'x');
  assert.equal(ended.searchDone, true, 'and its search ends with X');
  assert.equal(ended.status, ended.total === ended.processed + ended.failed ? 'done' : 'comparing');
}

test('pages by cursor (tag and q=#tag, latest first, 100 a page); images and quote posts with media; links, handles, text and times', async () => {
  const server = await bluesky({ posts: { conf: [{ rkey: '3lquote', handle: 'ada.bsky.social', text: 'Quoting the keynote #conf', images: [demoPhoto(1), demoPhoto(2)], quote: true }, ...posts(149)] } });
  const job = await newJob(['bluesky']);
  const summary = await search(job, server);
  assert.equal(summary.error, undefined);
  assert.deepEqual(server.calls.map((c) => c.method), ['com.atproto.server.createSession', 'app.bsky.feed.searchPosts', 'app.bsky.feed.searchPosts']);
  const final = await store.require(job.id);
  assert.deepEqual(final.sources, [{ source: 'bluesky', status: 'done', posts: 150, photos: 151 }]);
  const photos = fired(job.id).flatMap((e) => e.photos);
  assert.equal(photos.length, 151);
  const quote = photos.find((p) => p.author === 'ada.bsky.social')!;
  assert.match(quote.postUrl, /^https:\/\/bsky\.app\/profile\/ada\.bsky\.social\/post\/3lquote$/);
  assert.match(quote.postId, /^at:\/\/did:plc:[0-9a-f]+\/app\.bsky\.feed\.post\/3lquote$/);
  assert.deepEqual([quote.source, quote.text, quote.createdAt], ['bluesky', 'Quoting the keynote #conf', '2026-03-01T12:00:00.000Z']);
  assert.match(quote.imageUrl, /\/img\/feed_fullsize\/plain\//, 'the full-size image, not the thumbnail');
});

test('a refused login: the source fails saying so in plain words (Bluesky’s code and words are for the log); X is unaffected', async () => {
  const server = await bluesky({ posts: { conf: posts(3) } });
  const job = await newJob();
  await search(job, server, { BLUESKY_APP_PASSWORD: 'wrong-pass-word-here' });
  await failedWith(job, /^refused findme's login$/);
  assert.deepEqual(server.calls.map((c) => c.method), ['com.atproto.server.createSession'], 'nothing searched');
});

test('no account configured: the source fails saying it is not set up', async () => {
  const server = await bluesky({ posts: {} });
  const job = await newJob();
  await search(job, server, { BLUESKY_IDENTIFIER: '', BLUESKY_APP_PASSWORD: '' });
  await failedWith(job, /^is not set up on this findme \(its search needs an account\)$/);
});

test('a session that expires mid-search is renewed with the refresh token; one that cannot be renewed fails the source', async () => {
  const server = await bluesky({ posts: { conf: posts(250) }, expireAfter: 1 });
  const job = await newJob(['bluesky']);
  await search(job, server);
  assert.deepEqual(
    server.calls.map((c) => `${c.method.split('.').pop()} ${c.status}`),
    ['createSession 200', 'searchPosts 200', 'searchPosts 400', 'refreshSession 200', 'searchPosts 200', 'searchPosts 400', 'refreshSession 200', 'searchPosts 200'],
  );
  assert.equal((await store.require(job.id)).total, 250);
  const stuck = await bluesky({ posts: { conf: posts(250) }, expireAfter: 1, refuseRefresh: true });
  const later = await newJob();
  await search(later, stuck);
  await failedWith(later, /^ended findme's session mid-search and did not renew it$/);
  assert.equal((await store.require(later.id)).sources[0]!.photos, 100, 'the first page’s photos stay the job’s');
});

test('a cursor that repeats stops the search with a note', async () => {
  const server = await bluesky({ posts: { conf: posts(350) }, repeatCursor: true });
  const job = await newJob(['bluesky']);
  await search(job, server);
  const after = await store.require(job.id);
  assert.equal(server.calls.filter((c) => c.method === 'app.bsky.feed.searchPosts').length, 2, 'the page that gave its cursor again is the last');
  assert.deepEqual([after.sources[0]!.status, after.sources[0]!.note, after.total], ['done', 'it gave the same next page twice after 2 pages (200 posts): stopped there', 200]);
});

test('a rate limit is waited out when it resets in time; one that outlasts the deadline stops with a note', async () => {
  const brief = await bluesky({ posts: { conf: posts(2) }, rateLimitOn: [1], rateLimitResetS: 1 });
  const job = await newJob(['bluesky']);
  await search(job, brief);
  assert.deepEqual(brief.calls.filter((c) => c.method === 'app.bsky.feed.searchPosts').map((c) => c.status), [429, 200]);
  assert.equal((await store.require(job.id)).total, 2);
  const long = await bluesky({ posts: { conf: posts(2) }, rateLimitOn: [1], rateLimitResetS: 3600 });
  const later = await newJob();
  await search(later, long);
  const after = await store.require(later.id);
  assert.equal(after.sources[0]!.status, 'done');
  assert.match(after.sources[0]!.note ?? '', /^its rate limit lasts past this search's time; try again after \d\d:\d\d:\d\d UTC$/);
  assert.equal((await store.finishSource(later.id, 'x')).status, 'done');
});

test('images on a host that is not allowed are recorded failures, never fetched; FINDME_MAX_POSTS caps with a note', async () => {
  const server = await bluesky({ posts: { conf: posts(30) } });
  const job = await newJob(['bluesky']);
  const { logged } = await loggedWhile(() => search(job, server, { FINDME_IMAGE_HOSTS: 'pbs.twimg.com', FINDME_MAX_POSTS: 20 }));
  const after = await store.require(job.id);
  assert.deepEqual([after.total, after.failed, after.sources[0]!.posts, after.sources[0]!.note], [20, 20, 20, 'stopped at FINDME_MAX_POSTS (20 posts)']);
  const failures = await store.failures(job.id);
  assert.deepEqual([...new Set(failures.map((f) => f.reason))], ['the photo is on a site findme does not download from'], 'plain words for the page and the exports');
  const detail = logged.filter((line) => line.startsWith(`job ${job.id}: photo not checked: `));
  assert.equal(detail.length, 20, 'each refusal in the activation log');
  assert.match(detail[0]!, /: host \S+ is not allowed \(allowed: pbs\.twimg\.com[,;].*see FINDME_IMAGE_HOSTS\)$/);
  assert.equal(fired(job.id).length, 0);
});
