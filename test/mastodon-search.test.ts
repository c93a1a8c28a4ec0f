/**
 * mastodon_search in-process against real parts: a private Redis, Mastodon stand-ins (real HTTP servers on
 * 127.0.0.1) and a local platform whose `tweet_image` rule records the fired batches. Each fault ends with the
 * source's note, the job's other source unaffected, and the job able to finish.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { main } from '../actions/mastodon_search';
import { redisConfig } from '../actions/lib/config';
import { openJobStore } from '../actions/lib/store';
import { closeRedis } from '../actions/lib/store/redis';
import type { JobRecord, PhotoRef, Source } from '../actions/lib/types';
import { demoPhoto } from '../local/standins/demo';
import { startFakeMastodon, type FakeMastodonOptions, type FakeStatus } from '../local/standins/mastodon';
import { loggedWhile } from './helpers/console';
import { useFirePlatform } from './helpers/platform';
import { useRedis } from './helpers/redis';

const redis = await useRedis();
const { fired: firedEvents } = await useFirePlatform();
after(() => closeRedis());
const store = openJobStore(redisConfig({ REDIS_URL: redis.url }));

async function instance(options: FakeMastodonOptions) {
  const server = await startFakeMastodon(options);
  after(() => server.close());
  return server;
}

async function newJob(sources: Source[] = ['mastodon', 'x']): Promise<JobRecord> {
  return store.create({ owner: 'auth0|m', hashtag: 'conf', pictureUrl: 'https://pbs.twimg.com/p.jpg', sources });
}

function search(job: JobRecord, instances: string[], extra: Record<string, unknown> = {}) {
  return main({ jobId: job.id, REDIS_URL: redis.url, FINDME_MASTODON_INSTANCES: instances.join(','), FINDME_PHOTOS_PER_EVENT: 10, ...extra });
}

function fired(jobId: string): PhotoRef[] {
  return firedEvents(jobId).flatMap((e) => e.photos);
}

/** The job's X part ends too, as twitter_search would end it: the job is then over. */
async function xFinishes(job: JobRecord): Promise<JobRecord> {
  return store.finishSource(job.id, 'x', { posts: 0 });
}

const statuses = (n: number, prefix = ''): FakeStatus[] =>
  Array.from({ length: n }, (_, i) => ({ id: String(110_000_000 + n - i), username: `u${i % 4}`, text: `${prefix}talk ${i} #conf & more <3`, media: [{ type: 'image', file: demoPhoto(((i % 6) + 1) as 1) }] }));

test('two instances: pages by Link, the same federated post once, image attachments only, counts per source', async () => {
  const shared: FakeStatus = { id: '120000000', username: 'ada', domain: 'social.example', uri: 'https://social.example/users/ada/statuses/1', text: 'Federated', media: [{ type: 'image', file: demoPhoto(1) }] };
  const one = await instance({ statuses: { conf: [shared, ...statuses(50), { id: '100000001', username: 'v', media: [{ type: 'video' }] }] } });
  const two = await instance({ statuses: { conf: [{ ...shared }, ...statuses(3, 'b-').map((s) => ({ ...s, id: String(Number(s.id) + 5) }))] } });
  const job = await newJob(['mastodon']);
  const summary = await search(job, [one.origin, two.origin]);
  assert.equal(summary.error, undefined);
  assert.deepEqual(one.requests.map((r) => new URL(r.url, one.origin).searchParams.get('max_id')), [null, '110000012', '100000001'], 'three pages, by the Link header');
  assert.ok(one.requests.every((r) => /only_media=true/.test(r.url) && /limit=40/.test(r.url)));
  const final = await store.require(job.id);
  // 52 posts on one, 4 on two, one of which is the federated post one already had.
  assert.deepEqual(final.sources, [{ source: 'mastodon', status: 'done', posts: 56, photos: 54 }]);
  assert.deepEqual([final.status, final.total, final.searchDone], ['comparing', 54, true]);
  const photos = fired(job.id);
  assert.equal(photos.length, 54);
  assert.equal(new Set(photos.map((p) => p.postId)).size, 54, 'the federated post is one post');
  const federated = photos.find((p) => p.postId === shared.uri)!;
  assert.equal(federated.author, 'ada@social.example');
  assert.equal(federated.postUrl, 'https://social.example/@ada/120000000');
  const local = photos.find((p) => p.text?.startsWith('talk 0'))!;
  assert.deepEqual([local.source, local.author, local.text, typeof local.createdAt], ['mastodon', `u0@${one.host}`, 'talk 0 #conf & more <3', 'string']);
  assert.ok(final.imageHosts?.includes(one.host) && final.imageHosts.includes(two.host), 'each instance is a media host of the job');
});

test('an instance that answers 401, 403, 404, 500 or HTML: the source fails with a note saying so; X is unaffected', async () => {
  const cases: Array<[FakeMastodonOptions['answer'], RegExp]> = [
    [{ status: 401, body: '{"error":"This method requires an authenticated user"}', contentType: 'application/json' }, /^127\.0\.0\.1:\d+ does not show its tag timeline to findme$/],
    [{ status: 403, body: '{"error":"Forbidden"}', contentType: 'application/json' }, /^127\.0\.0\.1:\d+ does not show its tag timeline to findme$/],
    [{ status: 404, body: '{"error":"Record not found"}', contentType: 'application/json' }, /^127\.0\.0\.1:\d+ has no tag timeline: is it a Mastodon instance\?$/],
    [{ status: 500, body: '{"error":"We\'re sorry, but something went wrong"}', contentType: 'application/json' }, /^127\.0\.0\.1:\d+ had a server error$/],
    [{ status: 200, body: '<!doctype html><title>Login</title>', contentType: 'text/html' }, /^127\.0\.0\.1:\d+ answered with a web page, not with posts$/],
  ];
  for (const [answer, note] of cases) {
    const broken = await instance({ statuses: {}, answer });
    const job = await newJob();
    const summary = await search(job, [broken.origin]);
    assert.match(summary.error ?? '', note);
    const after = await store.require(job.id);
    assert.equal(after.sources[0]!.status, 'failed');
    assert.match(after.sources[0]!.note ?? '', note);
    assert.equal(after.status, 'searching', 'the job waits for X');
    const done = await xFinishes(job);
    assert.equal(done.status, 'done', `${answer!.status}: the job ends with X's results`);
    assert.match(done.searchNote ?? '', /^Mastodon: /);
  }
});

test('with one instance broken the other is still read, and the note names the broken one', async () => {
  const broken = await instance({ statuses: {}, answer: { status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' } });
  const good = await instance({ statuses: { conf: statuses(2) } });
  const job = await newJob(['mastodon']);
  await search(job, [broken.origin, good.origin]);
  const final = await store.require(job.id);
  assert.deepEqual([final.sources[0]!.status, final.sources[0]!.photos, final.status], ['done', 2, 'comparing']);
  assert.equal(final.sources[0]!.note, `${broken.host} answered with a web page, not with posts`);
});

test('a closed timeline is read with MASTODON_ACCESS_TOKEN, which is sent only as a bearer token', async () => {
  const closed = await instance({ statuses: { conf: statuses(1) }, accessToken: 'token-123' });
  const job = await newJob(['mastodon']);
  await search(job, [closed.origin], { MASTODON_ACCESS_TOKEN: 'token-123' });
  assert.deepEqual(closed.requests.map((r) => [r.status, r.authorized]), [[200, true], [200, true]]);
  assert.equal((await store.require(job.id)).total, 1);
});

test('a Link header pointing at another host is not followed', async () => {
  const elsewhere = await instance({ statuses: { conf: statuses(5) } });
  const linking = await instance({ statuses: { conf: statuses(45) }, linkOrigin: elsewhere.origin });
  const job = await newJob();
  await search(job, [linking.origin]);
  assert.equal(linking.requests.length, 1);
  assert.equal(elsewhere.requests.length, 0, 'nothing asked of the other host');
  const after = await store.require(job.id);
  assert.equal(after.sources[0]!.status, 'done');
  assert.equal(after.sources[0]!.note, `${linking.host}'s next page is on another host (${elsewhere.host}): not followed`);
  assert.equal(after.sources[0]!.photos, 40);
});

test('a photo on a host that is not allowed is a recorded failure in plain words, never fetched; the host and the setting are in the log only', async () => {
  const server = await instance({ statuses: { conf: [{ id: '5', username: 'eve', media: [{ type: 'image', remoteUrl: 'https://media.elsewhere.example/a.jpg' }] }, ...statuses(1)] } });
  const job = await newJob(['mastodon']);
  const { logged } = await loggedWhile(() => search(job, [server.origin]));
  const after = await store.require(job.id);
  assert.deepEqual([after.total, after.failed, after.sources[0]!.photos], [2, 1, 2]);
  const [failure] = await store.failures(job.id);
  assert.equal(failure!.imageUrl, 'https://media.elsewhere.example/a.jpg');
  assert.equal(failure!.reason, 'the photo is on a site findme does not download from');
  assert.ok(
    logged.some((line) => line.startsWith(`job ${job.id}: photo not checked: https://media.elsewhere.example/a.jpg: host media.elsewhere.example is not allowed (allowed: `) && line.endsWith('; see FINDME_IMAGE_HOSTS)')),
    logged.join('\n'),
  );
  assert.deepEqual(fired(job.id).map((p) => p.imageUrl).filter((u) => u.includes('elsewhere')), [], 'not handed to compare_images');
});

test('a rate limit: waited out when it resets in time; one that outlasts the deadline stops the instance with a note', async () => {
  const brief = await instance({ statuses: { conf: statuses(3) }, rateLimitOn: [1], rateLimitResetS: 1 });
  const job = await newJob(['mastodon']);
  await search(job, [brief.origin]);
  assert.deepEqual(brief.requests.map((r) => r.status), [429, 200, 200]);
  assert.equal((await store.require(job.id)).total, 3);
  const long = await instance({ statuses: { conf: statuses(3) }, rateLimitOn: [1], rateLimitResetS: 3600 });
  const later = await newJob();
  const started = Date.now();
  await search(later, [long.origin]);
  assert.ok(Date.now() - started < 5000, 'not waited for');
  const after = await store.require(later.id);
  assert.equal(after.sources[0]!.status, 'done');
  assert.match(after.sources[0]!.note ?? '', new RegExp(`^${long.host}'s rate limit lasts past this search's time; try again after \\d\\d:\\d\\d:\\d\\d UTC$`));
  assert.equal((await xFinishes(later)).status, 'done');
});

test('a page that uses up the rate-limit window (X-RateLimit-Remaining: 0): the next page waits for the reset, not for a 429; a reset past the deadline stops with a note', async () => {
  const tight = await instance({ statuses: { conf: statuses(45) }, exhaustOn: [1], rateLimitResetS: 2 });
  const job = await newJob(['mastodon']);
  await search(job, [tight.origin]);
  assert.deepEqual(tight.requests.map((r) => r.status), [200, 200, 200], 'no request ran into the used-up window');
  const gap = tight.requests[1]!.at - tight.requests[0]!.at;
  assert.ok(gap >= 2000, `the second page waited for the reset (${gap} ms)`);
  assert.deepEqual([(await store.require(job.id)).total, (await store.require(job.id)).sources[0]!.note], [45, undefined]);

  const spent = await instance({ statuses: { conf: statuses(45) }, exhaustOn: [1], rateLimitResetS: 3600 });
  const later = await newJob(['mastodon']);
  const started = Date.now();
  await search(later, [spent.origin]);
  assert.ok(Date.now() - started < 5000, 'not waited for');
  assert.deepEqual(spent.requests.map((r) => r.status), [200], 'the next page is not asked for');
  const after = await store.require(later.id);
  assert.deepEqual([after.sources[0]!.status, after.total], ['done', 40], 'the first page stands');
  assert.match(after.sources[0]!.note ?? '', new RegExp(`^${spent.host}'s rate limit lasts past this search's time; try again after \\d\\d:\\d\\d:\\d\\d UTC$`));
});

test("media on a host of the instance's own, named by /api/v1/instance: that host is allowed for the job; a host it did not name is not", async () => {
  const server = await instance({ statuses: { conf: [...statuses(2), { id: '5', username: 'eve', media: [{ type: 'image', remoteUrl: 'http://127.0.0.1:9/files/elsewhere.jpg' }] }] }, separateMediaHost: true });
  assert.notEqual(server.mediaHost, server.host);
  const job = await newJob(['mastodon']);
  const { logged } = await loggedWhile(() => search(job, [server.origin]));
  const after = await store.require(job.id);
  assert.deepEqual(after.imageHosts?.sort(), [server.host, server.mediaHost].sort(), 'the instance and its media host');
  const photos = fired(job.id);
  assert.equal(photos.length, 2);
  assert.ok(photos.every((p) => new URL(p.imageUrl).host === server.mediaHost), JSON.stringify(photos.map((p) => p.imageUrl)));
  assert.deepEqual([after.total, after.failed], [3, 1]);
  const [failure] = await store.failures(job.id);
  // In plain words for the job; which host and why only in the activation's log.
  assert.equal(failure!.reason, 'the photo is on a site findme does not download from');
  assert.ok(logged.some((line) => /photo not checked: .*host 127\.0\.0\.1:9 is not allowed/.test(line)), logged.join('\n'));
  const served = await fetch(photos[0]!.imageUrl);
  assert.deepEqual([served.status, served.headers.get('content-type')], [200, 'image/jpeg'], 'the media host serves the photo');
  assert.equal((await fetch(`http://${server.mediaHost}/api/v1/instance`)).status, 404, 'and only media');
});

test('FINDME_MAX_POSTS caps the posts read, with a note; a job that did not ask for Mastodon is left alone', async () => {
  const server = await instance({ statuses: { conf: statuses(30) } });
  const job = await newJob(['mastodon']);
  await search(job, [server.origin], { FINDME_MAX_POSTS: 25 });
  const after = await store.require(job.id);
  assert.deepEqual([after.sources[0]!.posts, after.total, after.sources[0]!.note], [25, 25, 'stopped at FINDME_MAX_POSTS (25 posts)']);
  const xOnly = await newJob(['x']);
  const requests = server.requests.length;
  assert.deepEqual(await search(xOnly, [server.origin]), { jobId: xOnly.id, skipped: 'the search did not ask for Mastodon' });
  assert.equal(server.requests.length, requests);
});
