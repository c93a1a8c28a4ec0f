/**
 * compare_images against a real redis-server and a real photo host on 127.0.0.1: matching, caching, idempotent
 * redelivery, and every kind of bad photo recorded with its reason while the rest of the batch completes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { main, openStores, type CompareSummary, type Stores } from '../actions/compare_images';
import { DEFAULTS, faceConfig, type Params, type RedisConfig } from '../actions/lib/config';
import { decodeDescriptor, encodeDescriptor } from '../actions/lib/face/descriptor-codec';
import { FaceEngine } from '../actions/lib/face/engine';
import { modelRuns } from '../actions/lib/face/detect';
import { MIN_STEP_MS, timeToStart } from '../actions/lib/face/time-budget';
import { SAFETY_MARGIN_MS } from '../actions/lib/ow/deadline';
import { JobStore, type PhotoOutcome } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { closeRedis } from '../actions/lib/store/redis';
import type { JobRecord, PhotoRef } from '../actions/lib/types';
import { DEMO_NUMBERS, demoBytes, noFaceImage, pixelBombPng, sample1Profile, SAMPLE1_FACES, serve, startPhotoHost, truncatedJpeg, twoFaceProfile } from './helpers/images';
import { connectRedis, useRedis } from './helpers/redis';
import { DEMO_USERS, distinctJpeg, renderDemoPicture } from '../local/standins/demo';

const server = await useRedis();
const redis = connectRedis(server.url);
const keys = makeKeys(server.prefix);
const host = await startPhotoHost();
after(() => closeRedis());

/** The job store, remembering every outcome the action hands it (the store keeps only counts for failures). */
class RecordingJobStore extends JobStore {
  readonly outcomes = new Map<string, PhotoOutcome[]>();
  override recordPhoto(jobId: string, photo: PhotoRef, outcome: PhotoOutcome) {
    this.outcomes.set(photo.imageUrl, [...(this.outcomes.get(photo.imageUrl) ?? []), outcome]);
    return super.recordPhoto(jobId, photo, outcome);
  }
}
const jobs = new RecordingJobStore(redis, keys, { jobTtlS: 3600 });
const open = (config: RedisConfig): Stores => ({ ...openStores(config, keys), jobs });

// The maybe band closed (as wide as the sure one): these tests are about the pipeline; the bands have their own.
const params: Params = { REDIS_URL: server.url, FINDME_IMAGE_HOSTS: '127.0.0.1', FINDME_DOWNLOAD_TIMEOUT_MS: 1000, FINDME_MAYBE_THRESHOLD: DEFAULTS.matchThreshold };
const run = (event: Params): Promise<CompareSummary> => main({ ...params, ...event }, open);

host.route('/profile/face0.jpg', serve.bytes(await sample1Profile(0, 400)));
for (const n of DEMO_NUMBERS) host.route(`/media/sample${n}.jpg`, serve.bytes(demoBytes(n)));

function photo(path: string): PhotoRef {
  const id = String(parseInt(createHash('sha1').update(path).digest('hex').slice(0, 12), 16));
  return { source: 'x', postId: id, postUrl: `https://x.com/u/status/${id}`, imageUrl: path.startsWith('http') ? path : host.url(path) };
}

let owners = 0;
interface JobOptions {
  pictureUrl?: string;
  /** false leaves the search open, so the job cannot complete. */
  finished?: boolean;
  /** Default: a new user (whose profile descriptor is not cached yet). */
  owner?: string;
  /** Reference descriptors (hex) the job starts with; default none (the profile picture). */
  references?: string[];
}

/** A job whose search found `photos`. */
async function newJob(photos: PhotoRef[], { pictureUrl = host.url('/profile/face0.jpg'), finished = true, owner, references }: JobOptions = {}): Promise<JobRecord> {
  const job = await jobs.create({ owner: owner ?? `auth0|user${++owners}`, hashtag: 'findmedemo', pictureUrl, ...(references ? { references } : {}) });
  await jobs.startSource(job.id, 'x');
  await jobs.addPhotos(job.id, photos);
  if (finished) await jobs.finishSource(job.id, 'x');
  return job;
}

test('a malformed event is answered with the field that is wrong, and touches nothing', async () => {
  const cases: Array<[Params, RegExp]> = [
    [{ photos: [] }, /jobId must be a non-empty string, got nothing/],
    [{ jobId: 'j', photos: 'a.jpg' }, /photos must be a list of 1 to 100 photos, got "a\.jpg"/],
    [{ jobId: 'j', photos: [] }, /photos must be a list of 1 to 100 photos, got 0/],
    [{ jobId: 'j', photos: [{ postId: '1', postUrl: 'https://x.com/u/status/1' }] }, /photos\[0\]\.imageUrl must be a non-empty string, got nothing/],
    [{ jobId: 'j', photos: [photo('/a'), null] }, /photos\[1\]\.postId must be a non-empty string/],
  ];
  for (const [event, message] of cases) {
    const summary = await run(event);
    assert.match(summary.error ?? '', /^the tweet_image event cannot be used: /);
    assert.match(summary.error ?? '', message);
  }
});

test('an unknown job, a finished job, and a photo the job never found are left alone', async () => {
  const stray = photo('/media/sample1.jpg');
  assert.match((await run({ jobId: 'no-such-job', photos: [stray] })).skipped ?? '', /job no-such-job does not exist/);
  const failed = await newJob([stray]);
  await jobs.fail(failed.id, 'cancelled by the test');
  const hits = host.hits.get('/profile/face0.jpg') ?? 0;
  assert.match((await run({ jobId: failed.id, photos: [stray] })).skipped ?? '', /is failed: nothing to compare/);
  assert.equal(host.hits.get('/profile/face0.jpg') ?? 0, hits, 'no profile picture fetched');
  const searching = await newJob([photo('/media/sample2.jpg')], { finished: false });
  const summary = await run({ jobId: searching.id, photos: [photo(host.route('/media/stray.jpg', serve.bytes(distinctJpeg(demoBytes(3), 'stray'))))] });
  assert.equal(summary.ignored, 1);
  assert.equal((await jobs.require(searching.id)).processed, 0);
});

test('over the six demo photos sample1 matches at the face cropped; a second search over them runs no model', async () => {
  const photos = DEMO_NUMBERS.map((n) => photo(`/media/sample${n}.jpg`));
  const first = await newJob(photos);
  const summary = await run({ jobId: first.id, photos });
  assert.deepEqual(summary, { jobId: first.id, photos: 6, matched: 1, maybe: 0, failed: 0, duplicates: 0, cached: 0, sameBytes: 0 });
  const done = await jobs.require(first.id);
  assert.deepEqual([done.status, done.processed, done.failed, done.matched], ['done', 6, 0, 1]);
  const { matches } = await jobs.matchesAfter(first.id, undefined);
  assert.equal(matches.length, 1);
  const match = matches[0]!;
  assert.equal(match.imageUrl, photos[0]!.imageUrl);
  assert.equal(match.postId, photos[0]!.postId);
  assert.deepEqual([match.imageWidth, match.imageHeight], [1920, 1280]);
  const expected = SAMPLE1_FACES[0]!;
  assert.ok(Math.abs(match.box.x - expected.x) < 20 && Math.abs(match.box.y - expected.y) < 20, JSON.stringify(match.box));
  assert.ok(match.distance < 0.3, `distance ${match.distance}`);

  const runs = modelRuns();
  const downloads = host.hits.get('/media/sample4.jpg');
  const second = await newJob(photos, { owner: first.owner });
  const warm = await run({ jobId: second.id, photos });
  assert.deepEqual(warm, { jobId: second.id, photos: 6, matched: 1, maybe: 0, failed: 0, duplicates: 0, cached: 6, sameBytes: 0 });
  assert.equal(modelRuns(), runs, 'no model ran: profile and photos came from the cache');
  assert.equal(host.hits.get('/media/sample4.jpg'), downloads, 'no photo downloaded again');
  assert.deepEqual((await jobs.matchesAfter(second.id, undefined)).matches.map((m) => m.distance), [match.distance]);
  assert.equal((await jobs.require(second.id)).status, 'done');
});

test('the same bytes under another URL cost a download and no model run; the same pixels in other bytes run the model', async () => {
  const bytes = distinctJpeg(demoBytes(1), 'posted twice');
  const [first, again, other] = ['/media/twice-a.jpg', '/media/twice-b.jpg', '/media/twice-c.jpg'].map((path) => photo(path));
  host.route('/media/twice-a.jpg', serve.bytes(bytes));
  host.route('/media/twice-b.jpg', serve.bytes(bytes));
  host.route('/media/twice-c.jpg', serve.bytes(distinctJpeg(demoBytes(1), 'posted again')));
  const job = await newJob([first!, again!, other!]);
  const before = modelRuns();
  const summary = await run({ jobId: job.id, photos: [first!, again!, other!] });
  assert.deepEqual([summary.matched, summary.failed, summary.cached, summary.sameBytes], [3, 0, 0, 1]);
  assert.equal(modelRuns() - before, 3, "the new owner's profile picture, twice-a.jpg and twice-c.jpg (other bytes); twice-b.jpg ran no model");
  assert.equal(host.hits.get('/media/twice-b.jpg'), 1, 'it was downloaded: only its bytes say it is the same photo');
  const { matches } = await jobs.matchesAfter(job.id, undefined);
  assert.deepEqual(new Set(matches.map((m) => JSON.stringify([m.box, m.distance]))).size, 1, 'the same face, the same distance, in all three');
  // Under a URL of its own too now: a later search does not download it.
  const later = await newJob([again!], { owner: job.owner });
  assert.equal((await run({ jobId: later.id, photos: [again!] })).cached, 1);
  assert.equal(host.hits.get('/media/twice-b.jpg'), 1);
});

test('a batch delivered twice, one after the other or at once, counts and matches each photo once', async () => {
  const photos = [1, 2, 3].map((n) => photo(`/media/sample${n}.jpg?twice`));
  for (const n of [1, 2, 3]) host.route(`/media/sample${n}.jpg?twice`, serve.bytes(demoBytes(n as 1 | 2 | 3)));
  const job = await newJob(photos, { finished: false });
  const first = await run({ jobId: job.id, photos });
  assert.deepEqual([first.matched, first.failed, first.duplicates], [1, 0, 0]);
  const before = { job: await jobs.require(job.id), matches: await jobs.matchesAfter(job.id, undefined) };
  const runs = modelRuns();
  const again = await Promise.all([run({ jobId: job.id, photos }), run({ jobId: job.id, photos: [...photos].reverse() })]);
  for (const summary of again) assert.deepEqual([summary.matched, summary.failed, summary.duplicates, summary.cached], [0, 0, 3, 3]);
  assert.equal(modelRuns(), runs);
  const afterJob = await jobs.require(job.id);
  assert.deepEqual({ ...afterJob, updated: 0 }, { ...before.job, updated: 0 });
  assert.deepEqual([afterJob.processed, afterJob.failed, afterJob.matched], [3, 0, 1]);
  assert.deepEqual(await jobs.matchesAfter(job.id, undefined), before.matches);
});

test('each bad photo is recorded with a clear reason and the rest of the batch completes', async () => {
  const bad: Array<[string, RegExp]> = [
    [host.route('/bad/not-an-image.jpg', serve.bytes(Buffer.from('<html>hello</html>'), 'text/html')), /^not an image \(JPEG, PNG, WebP or GIF expected\)$/],
    [host.route('/bad/truncated.jpg', serve.bytes(truncatedJpeg())), /^the photo file is cut short$/],
    [host.route('/bad/empty.jpg', serve.bytes(Buffer.alloc(0))), /^the photo file is empty$/],
    [host.url('/bad/missing.jpg'), /^the photo is no longer on its site \(HTTP 404\)$/],
    // Reasons in words for people; the exact limit and its variable, the HTTP text, go to the log only.
    [host.route('/bad/bomb.png', serve.bytes(pixelBombPng(30_000), 'image/png')), /^the photo has too many pixels to check$/],
    ['https://images.example/photo.jpg', /^the photo is on a site findme does not download from$/],
    [host.route('/bad/redirect.jpg', serve.redirect('https://images.example/photo.jpg')), /^the photo is on a site findme does not download from$/],
    [host.route('/bad/stall.jpg', serve.stall()), /^the photo took too long to download$/],
  ];
  const good = photo(host.route('/media/good.jpg', serve.bytes(demoBytes(1))));
  const photos = [...bad.map(([url]) => photo(url)), good];
  const job = await newJob(photos);
  const summary = await run({ jobId: job.id, photos });
  assert.deepEqual([summary.photos, summary.failed, summary.matched], [9, 8, 1]);
  for (const [url, reason] of bad) {
    const outcome = jobs.outcomes.get(url)?.[0];
    assert.ok(outcome && 'error' in outcome, `${url} recorded as failed`);
    assert.match(outcome.error, reason, url);
  }
  const done = await jobs.require(job.id);
  assert.deepEqual([done.status, done.processed, done.failed, done.matched], ['done', 1, 8, 1]);
  const cachedFailures = await redis.keys(`${server.prefix}photo:*`);
  const runs = modelRuns();
  const retry = await newJob(photos, { owner: job.owner });
  const again = await run({ jobId: retry.id, photos });
  assert.equal(again.cached, 1, 'only the good photo was cached; failures are tried again');
  assert.equal(modelRuns(), runs);
  assert.equal((await redis.keys(`${server.prefix}photo:*`)).length, cachedFailures.length);
});

test("a profile picture without one clear face fails the job with the reason", async () => {
  const cases: Array<[string, RegExp]> = [
    [host.route('/profile/none.jpg', serve.bytes(await noFaceImage())), /^profile picture: no face found$/],
    [host.route('/profile/two.jpg', serve.bytes(await twoFaceProfile())), /^profile picture: several faces of similar size \(2 found\)/],
    [host.url('/profile/missing.jpg'), /^profile picture: cannot be downloaded: HTTP 404/],
    [host.route('/profile/gone.jpg', serve.status(410)), /^profile picture: cannot be downloaded: HTTP 410/],
    [host.route('/profile/page.jpg', serve.bytes(Buffer.from('<html>hello</html>'), 'text/html')), /^profile picture: cannot be read: not an image/],
    ['https://images.example/me.jpg', /^profile picture: cannot be downloaded: .*host images\.example is not allowed/],
  ];
  for (const [pictureUrl, reason] of cases) {
    const photos = [photo('/media/sample2.jpg')];
    const job = await newJob(photos, { pictureUrl });
    const summary = await run({ jobId: job.id, photos });
    assert.match(summary.error ?? '', reason);
    const failed = await jobs.require(job.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', reason);
    assert.equal(failed.processed + failed.failed, 0);
  }
});

test('a profile picture whose host fails for a moment is tried again, and the batch is compared', async () => {
  let calls = 0;
  const profile = await sample1Profile(0, 400);
  const pictureUrl = host.route('/profile/flaky.jpg', (res) => (++calls <= 2 ? serve.status(503) : serve.bytes(profile))(res));
  const photos = [photo('/media/sample1.jpg')];
  const job = await newJob(photos, { pictureUrl });
  const summary = await run({ jobId: job.id, photos });
  assert.equal(summary.error, undefined);
  assert.equal(calls, 3, 'two 503s, then the picture');
  const done = await jobs.require(job.id);
  assert.deepEqual([done.status, done.processed, done.matched], ['done', 1, 1]);
});

test("a profile picture whose host keeps failing leaves the job running: this batch's photos fail with why, once", async () => {
  let calls = 0;
  const pictureUrl = host.route('/profile/down.jpg', (res) => {
    calls += 1;
    serve.status(503)(res);
  });
  const photos = [photo('/media/sample2.jpg'), photo('/media/sample3.jpg')];
  const job = await newJob([...photos, photo('/media/sample4.jpg')], { pictureUrl });
  const summary = await run({ jobId: job.id, photos });
  assert.equal(summary.error, undefined);
  assert.equal(calls, 3, 'tried three times in all');
  assert.deepEqual([summary.failed, summary.matched], [2, 0]);
  for (const p of photos) assert.match(errorOf(p.imageUrl), /^not checked: profile picture: cannot be downloaded: HTTP 503 Service Unavailable from 127\.0\.0\.1:\d+$/);
  const again = await run({ jobId: job.id, photos });
  assert.deepEqual([again.failed, again.duplicates], [0, 2], 'a redelivery counts nothing twice');
  const running = await jobs.require(job.id);
  assert.deepEqual([running.status, running.failed, running.processed, running.error], ['comparing', 2, 0, undefined], 'not failed: the third photo may still be compared');
});

test('a photo whose post link is not https is recorded as failed without the link; the rest of the batch is compared', async () => {
  const good = photo('/media/sample1.jpg?links');
  host.route('/media/sample1.jpg?links', serve.bytes(demoBytes(1)));
  const scripted = { ...photo('/media/sample5.jpg?links'), postUrl: 'javascript:alert(document.cookie)' };
  const plain = { ...photo('/media/sample4.jpg?links'), postUrl: 'http://x.com/u/status/1' };
  const photos = [scripted, plain, good];
  const job = await newJob(photos);
  const summary = await run({ jobId: job.id, photos });
  assert.deepEqual([summary.failed, summary.matched], [2, 1]);
  assert.equal(errorOf(scripted.imageUrl), 'not checked: the link to its post is not https (javascript:)');
  assert.equal(errorOf(plain.imageUrl), 'not checked: the link to its post is not https (http:)');
  assert.equal(host.hits.get('/media/sample5.jpg?links'), undefined, 'not downloaded');
  const failures = await jobs.failures(job.id);
  assert.deepEqual(failures.map((f) => f.postUrl), ['', ''], 'the links are not stored');
  assert.equal((await jobs.require(job.id)).status, 'done');
});

test('a corrupted cache entry is a miss and is overwritten', async () => {
  const photos = [photo('/media/sample5.jpg'), photo('/media/sample6.jpg')];
  const first = await newJob(photos);
  await run({ jobId: first.id, photos });
  const entries = [...(await redis.keys(`${server.prefix}photo:*`)), ...(await redis.keys(`${server.prefix}profile:*`))];
  assert.ok(entries.length >= 3);
  for (const key of entries) await redis.set(key, (await redis.get(key))!.slice(0, 40), 'KEEPTTL');
  const runs = modelRuns();
  const job = await newJob(photos, { owner: first.owner });
  const summary = await run({ jobId: job.id, photos });
  assert.deepEqual([summary.failed, summary.cached, summary.matched], [0, 0, 0]);
  assert.equal(modelRuns(), runs + 3, 'the profile and both photos ran again');
  assert.equal((await jobs.require(job.id)).status, 'done');
  const rerun = await run({ jobId: (await newJob(photos, { owner: first.owner })).id, photos });
  assert.equal(rerun.cached, 2, 'the entries were rewritten whole');
  assert.equal(modelRuns(), runs + 3);
});

/** Runs `fn` in an activation whose deadline leaves `remainingMs` for work (past the margin kept to record). */
async function withDeadline<T>(remainingMs: number, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.__OW_DEADLINE;
  process.env.__OW_DEADLINE = String(Date.now() + SAFETY_MARGIN_MS + remainingMs);
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.__OW_DEADLINE;
    else process.env.__OW_DEADLINE = saved;
  }
}

const errorOf = (imageUrl: string): string => (jobs.outcomes.get(imageUrl)?.at(-1) as { error?: string } | undefined)?.error ?? '';

/** An owner whose profile face is cached, so a test's deadline applies to the photos alone. */
async function ownerWithCachedProfile(): Promise<string> {
  const job = await newJob([photo('/media/sample6.jpg')]);
  await run({ jobId: job.id, photos: [photo('/media/sample6.jpg')] });
  return job.owner;
}

test("photos left when the activation's deadline is near are recorded as failed, so the job completes", async () => {
  const photos = [photo('/media/sample3.jpg?late')];
  const job = await newJob(photos);
  await withDeadline(-4000, () => run({ jobId: job.id, photos }));
  assert.match(errorOf(photos[0]!.imageUrl), /time limit/);
  assert.equal(host.hits.get('/media/sample3.jpg?late'), undefined);
  assert.equal((await jobs.require(job.id)).status, 'done');
});

test("a photo is not started when the time left would not cover its download, decode and detection; one from the cache still is", async () => {
  const owner = await ownerWithCachedProfile();
  const cached = photo('/media/sample6.jpg');
  const fresh = photo(host.route('/media/sample2.jpg?short', serve.bytes(demoBytes(2))));
  const job = await newJob([cached, fresh], { owner });
  const summary = await withDeadline(timeToStart() - 1000, () => run({ jobId: job.id, photos: [cached, fresh] }));
  assert.equal(host.hits.get('/media/sample2.jpg?short'), undefined, 'not downloaded');
  assert.equal(errorOf(fresh.imageUrl), "not checked: the activation's time limit was reached before this photo could be");
  assert.deepEqual([summary.cached, summary.failed], [1, 1]);
  const done = await jobs.require(job.id);
  assert.deepEqual([done.status, done.processed, done.failed], ['done', 1, 1]);
});

test('a download is given only the time that leaves room for its decode and detection before the deadline', async () => {
  const owner = await ownerWithCachedProfile();
  const slow = photo(host.route('/media/slow.jpg?budget', serve.stall()));
  const job = await newJob([slow], { owner });
  const left = timeToStart() + 500;
  // The timeout given is in the activation's log line for the photo; the recorded reason is in plain words.
  const logged: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
  try {
    await withDeadline(left, () => run({ jobId: job.id, photos: [slow], FINDME_DOWNLOAD_TIMEOUT_MS: 60_000 }));
  } finally {
    console.log = log;
  }
  assert.equal(errorOf(slow.imageUrl), 'the photo took too long to download');
  const given = Number(/: the download did not finish within (\d+) ms$/m.exec(logged.join('\n'))?.[1]);
  assert.ok(given > 0 && given <= left - timeToStart() + MIN_STEP_MS, `the download was given ${given} ms of ${left}`);
  assert.equal((await jobs.require(job.id)).status, 'done');
});

test('bands: the nearest of the references decides; a face between the thresholds is a maybe; each match keeps its descriptor', async () => {
  const photos = DEMO_NUMBERS.map((n) => photo(`/media/sample${n}.jpg`));
  const engine = FaceEngine.fromConfig(faceConfig(params));
  // Two references, neither the profile picture: face 2 of sample1, and a stranger's face from sample3.
  const refs = [await engine.profileDescriptor(await sample1Profile(2, 400)), await engine.profileDescriptor(await renderDemoPicture(DEMO_USERS[1]!.crop))];
  const job = await newJob(photos, { references: refs.map(encodeDescriptor) });
  const hits = host.hits.get('/profile/face0.jpg') ?? 0;
  const wide = { ...params, FINDME_MATCH_THRESHOLD: 0.45, FINDME_MAYBE_THRESHOLD: 0.56 };
  const summary = await main({ ...wide, jobId: job.id, photos }, open);
  assert.equal(host.hits.get('/profile/face0.jpg') ?? 0, hits, 'the references, not the profile picture');
  const { matches } = await jobs.matchesAfter(job.id, undefined);
  const sure = matches.filter((m) => m.band === 'match');
  assert.deepEqual(sure.map((m) => m.imageUrl).sort(), [photos[0]!.imageUrl, photos[2]!.imageUrl].sort(), 'sample1 (face 2) and sample3 (the second reference)');
  const onSample1 = sure.find((m) => m.imageUrl === photos[0]!.imageUrl)!;
  assert.ok(Math.abs(onSample1.box.x - SAMPLE1_FACES[2]!.x) < 20, JSON.stringify(onSample1.box));
  for (const m of matches) {
    assert.equal(decodeDescriptor(m.descriptor!, 128).length, 128);
    if (m.band === 'maybe') assert.ok(m.distance > 0.45 && m.distance <= 0.56, `maybe at ${m.distance}`);
  }
  assert.equal(summary.matched, 2);
  assert.equal(summary.maybe, matches.length - 2);
});

test('the next photo downloads while the one before it is compared, and every photo is still recorded once', async () => {
  const paths = ['/media/sample1.jpg?ahead', '/media/sample2.jpg?ahead', '/media/sample4.jpg?ahead'];
  const photos = paths.map((path) => photo(path));
  // When each photo's request arrives, had the photo before it been recorded yet?
  const previousRecorded = new Map<string, boolean>();
  paths.forEach((path, i) => {
    host.route(path, (res) => {
      if (i > 0) previousRecorded.set(path, jobs.outcomes.has(photos[i - 1]!.imageUrl));
      serve.bytes(demoBytes(([1, 2, 4] as const)[i]!))(res);
    });
  });
  const job = await newJob(photos);
  const summary = await run({ jobId: job.id, photos });
  assert.deepEqual([...previousRecorded.values()], [false, false], 'each download started before the photo ahead of it was done');
  assert.deepEqual({ matched: summary.matched, failed: summary.failed, duplicates: summary.duplicates }, { matched: 1, failed: 0, duplicates: 0 });
  for (const p of photos) assert.equal(jobs.outcomes.get(p.imageUrl)?.length, 1);
  assert.equal((await jobs.require(job.id)).status, 'done');
});
