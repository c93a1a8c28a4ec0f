/** The reference and review stores against a real redis-server: limits, owner-only ids, TTLs, the profile flag. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobStore, PhotoNotInJobError, UnknownJobError } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { ReferenceStore, TooManyReferencesError, UnknownReferenceError, type NewReference } from '../actions/lib/store/references';
import { NotJobOwnerError, ReviewStore } from '../actions/lib/store/reviews';
import { MAX_REFERENCES, PROFILE_REFERENCE_ID } from '../actions/lib/types';
import { connectRedis, useRedis } from './helpers/redis';

const server = await useRedis();
const redis = connectRedis(server.url);
const keys = makeKeys(server.prefix);
const TTL_S = 7200;
const refs = new ReferenceStore(redis, keys, { referenceTtlS: TTL_S });
const thumbnail = 'data:image/jpeg;base64,/9j/4AAQSkZJRg==';

function face(n: number, source: NewReference['source'] = 'upload'): NewReference {
  return { source, descriptor: n.toString(16).padStart(8, '0').repeat(128), thumbnail };
}

test('a user has at most five references; the sixth is refused and the five stay as they were', async () => {
  const owner = 'auth0|five';
  for (let i = 0; i < MAX_REFERENCES; i++) assert.ok(await refs.add(owner, face(i)));
  const before = await refs.list(owner);
  assert.equal(before.length, MAX_REFERENCES);
  await assert.rejects(refs.add(owner, face(9)), (error: unknown) => error instanceof TooManyReferencesError && /already have 5 reference faces/.test(error.message));
  assert.deepEqual(await refs.list(owner), before);
  const ttl = await redis.ttl(keys.references(owner));
  assert.ok(ttl > TTL_S - 10 && ttl <= TTL_S, `ttl ${ttl}`);
});

test("deleting removes the reference at once; another user's id, or an unknown one, is refused and changes nothing", async () => {
  const alice = 'auth0|alice';
  const mallory = 'auth0|mallory';
  const kept = (await refs.add(alice, face(1)))!;
  const gone = (await refs.add(alice, face(2)))!;
  const theirs = (await refs.add(mallory, face(3)))!;
  await refs.remove(alice, gone.id);
  assert.deepEqual((await refs.list(alice)).map((r) => r.id), [kept.id]);
  await assert.rejects(refs.remove(alice, theirs.id), UnknownReferenceError);
  await assert.rejects(refs.remove(alice, gone.id), UnknownReferenceError);
  assert.deepEqual((await refs.list(mallory)).map((r) => r.id), [theirs.id]);
  assert.deepEqual((await refs.list(alice)).map((r) => r.id), [kept.id]);
});

test('the profile reference is added once under its fixed id; once removed it is not added again', async () => {
  const owner = 'auth0|profile';
  const first = await refs.add(owner, face(1, 'profile'));
  assert.equal(first?.id, PROFILE_REFERENCE_ID);
  assert.equal(await refs.add(owner, face(2, 'profile')), null, 'already there');
  assert.equal(await refs.profileRemoved(owner), false);
  await refs.remove(owner, PROFILE_REFERENCE_ID);
  assert.equal(await refs.profileRemoved(owner), true);
  assert.equal(await refs.add(owner, face(3, 'profile')), null, 'removed by its owner');
  assert.deepEqual(await refs.list(owner), []);
});

test('an entry that does not parse is left out of the list, not served', async () => {
  const owner = 'auth0|corrupt';
  const good = (await refs.add(owner, face(1)))!;
  await redis.hset(keys.references(owner), 'bad', '{"id":"bad"');
  assert.deepEqual((await refs.list(owner)).map((r) => r.id), [good.id]);
});

test('a job keeps the references it was started with; reviews are owner-only, need a checked photo and live with the job', async () => {
  const jobs = new JobStore(redis, keys, { jobTtlS: 600 });
  const reviews = new ReviewStore(redis, keys);
  const snapshot = [face(1).descriptor, face(2).descriptor];
  const job = await jobs.create({ owner: 'auth0|alice', hashtag: 'jsconfeu', pictureUrl: 'https://pbs.twimg.com/p.jpg', references: snapshot });
  assert.deepEqual(await jobs.references(job.id), snapshot);
  const plain = await jobs.create({ owner: 'auth0|alice', hashtag: 'jsconfeu', pictureUrl: 'https://pbs.twimg.com/p.jpg' });
  assert.deepEqual(await jobs.references(plain.id), []);

  const photo = { source: 'x' as const, postId: '1', postUrl: 'https://x.com/u/status/1', imageUrl: 'https://pbs.twimg.com/media/1.jpg' };
  await jobs.startSource(job.id, 'x');
  await jobs.addPhotos(job.id, [photo, { ...photo, imageUrl: 'https://pbs.twimg.com/media/2.jpg' }]);
  const other = { ...photo, imageUrl: 'https://pbs.twimg.com/media/3.jpg' };
  await jobs.addPhotos(job.id, [other]);
  const box = { x: 1, y: 1, width: 10, height: 10 };
  await jobs.recordPhoto(job.id, other, { matches: [{ ...other, box, distance: 0.5, imageWidth: 100, imageHeight: 100, band: 'maybe' }] });
  await jobs.recordPhoto(job.id, photo, { matches: [{ ...photo, box, distance: 0.3, imageWidth: 100, imageHeight: 100, band: 'match' }] });
  const counted = await jobs.require(job.id);
  assert.deepEqual([counted.matched, counted.maybe], [1, 1], 'a maybe is counted apart from the sure matches');
  await reviews.decide(job.id, 'auth0|alice', photo.imageUrl, 'not-me');
  await reviews.decide(job.id, 'auth0|alice', photo.imageUrl, 'me');
  await assert.rejects(reviews.decide(job.id, 'auth0|mallory', photo.imageUrl, 'not-me'), NotJobOwnerError);
  await assert.rejects(reviews.decide(job.id, 'auth0|alice', 'https://pbs.twimg.com/media/2.jpg', 'me'), PhotoNotInJobError, 'found but not checked yet');
  await assert.rejects(reviews.decide(job.id, 'auth0|alice', 'https://pbs.twimg.com/media/9.jpg', 'me'), PhotoNotInJobError);
  await assert.rejects(reviews.decide('00000000-0000-4000-8000-000000000000', 'auth0|alice', photo.imageUrl, 'me'), UnknownJobError);
  const decisions = await reviews.decisions(job.id);
  assert.deepEqual([...decisions.values()], ['me']);
  const [jobTtl, reviewTtl] = [await redis.pttl(keys.job(job.id)), await redis.pttl(keys.jobReviews(job.id))];
  assert.ok(Math.abs(jobTtl - reviewTtl) < 2000, `job ${jobTtl} ms, reviews ${reviewTtl} ms`);
});
