/**
 * "Your face" against the real stack: references and review_match on the local platform (reference_face runs the
 * face engine in its own container), a real redis-server and the local identity provider. Every bad input is a
 * 4xx naming the problem, and the user's other references stay as they were.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { MAX_REFERENCES, type ErrorBody, type ReferencesResponse, type RegisterSearchResponse } from '../actions/lib/types';
import { startIdentityProvider } from '../local/standins/identity';
import { DEMO_HASHTAG, DEMO_USERS, demoTweets, renderDemoPicture } from '../local/standins/demo';
import { noFaceImage, sample1Profile, twoFaceProfile } from './helpers/images';
import { connectRedis } from './helpers/redis';
import { useStack } from './helpers/stack';

const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());
// X answers the file's first search request (the one of the search that keeps its references) with a 429 for
// 20 s: the window in which that search runs, has found no photo yet, and its owner changes the references.
const X_HOLD_S = 20;
const { stack, x, register, waitForEnd } = await useStack({
  x: { tweets: demoTweets(), rateLimitOn: [1], rateLimitResetS: X_HOLD_S },
  stack: { identity: { domain: identity.domain, audience: identity.audience, host: identity.host } },
});

async function call(sub: string, method: string, action: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const token = await identity.issueAccessToken({ sub });
  const response = await fetch(`${stack.apiBase}/${action}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // OpenWhisk's own refusals (413) may be plain text.
  }
  return { status: response.status, body: parsed };
}

const refs = (sub: string) => call(sub, 'GET', 'references');
const ids = (body: unknown) => (body as ReferencesResponse).references.map((r) => r.id);
const errorOf = (body: unknown) => (typeof body === 'string' ? body : (body as ErrorBody).error);

async function thumbnailSide(dataUrl: string): Promise<number> {
  const meta = await sharp(Buffer.from(dataUrl.replace(/^data:image\/jpeg;base64,/, ''), 'base64')).metadata();
  assert.equal(meta.format, 'jpeg');
  return Math.max(meta.width ?? 0, meta.height ?? 0);
}

test('the profile picture is the first reference; a photo with one face is added with a thumbnail of the face; bad photos are refused by name and change nothing', { timeout: 240_000 }, async () => {
  const ada = 'local|ada';
  const first = await refs(ada);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const listed = first.body as ReferencesResponse;
  assert.deepEqual([listed.max, listed.references.map((r) => [r.id, r.source])], [MAX_REFERENCES, [['profile', 'profile']]]);
  assert.ok((await thumbnailSide(listed.references[0]!.thumbnail)) <= 96);
  assert.equal(JSON.stringify(listed).includes('descriptor'), false, 'descriptors never leave the server');

  const added = await call(ada, 'POST', 'references', { image: (await sample1Profile(0, 400)).toString('base64') });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const afterAdd = ids(added.body);
  assert.equal(afterAdd.length, 2);

  const bad: Array<[string, unknown, number, RegExp]> = [
    ['a non-image', { image: Buffer.from('<html>not a photo</html>').toString('base64') }, 422, /^The photo was not added: .*not an image/i],
    ['no face', { image: (await noFaceImage()).toString('base64') }, 422, /^The photo was not added: no face found\.$/],
    ['several faces', { image: (await twoFaceProfile()).toString('base64') }, 422, /^The photo was not added: several faces of similar size \(2 found\)/],
    ['no image at all', {}, 400, /^Image must be a non-empty string/],
    ['a data URL', { image: 'data:image/jpeg;base64,AAAA' }, 400, /^Image must be the base64 of a JPEG/],
  ];
  for (const [what, body, status, message] of bad) {
    const refused = await call(ada, 'POST', 'references', body);
    assert.equal(refused.status, status, `${what}: ${JSON.stringify(refused.body)}`);
    assert.match(errorOf(refused.body), message, what);
  }
  // 20 MB: refused before any action runs (OpenWhisk's 1 MB limit), naming the size.
  const huge = await fetch(`${stack.apiBase}/references`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await identity.issueAccessToken({ sub: ada })}`, 'content-type': 'application/json' },
    body: JSON.stringify({ image: 'A'.repeat(20 * 1024 * 1024) }),
  });
  assert.equal(huge.status, 413);
  assert.match(await huge.text(), /Request larger than allowed: \d+ > 1048576 bytes/);
  assert.deepEqual(ids((await refs(ada)).body), afterAdd, 'the references are as they were');
});

test("a sixth reference is refused, another user's reference id is unknown, a removed profile picture stays removed", { timeout: 240_000 }, async () => {
  const grace = 'local|grace';
  const mallory = 'local|mallory';
  assert.equal((await refs(grace)).status, 200);
  const face = (await sample1Profile(2, 300)).toString('base64');
  let count = ids((await refs(grace)).body).length;
  while (count < MAX_REFERENCES) {
    const added = await call(grace, 'POST', 'references', { image: face });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    count = ids(added.body).length;
  }
  const full = ids((await refs(grace)).body);
  const sixth = await call(grace, 'POST', 'references', { image: face });
  assert.equal(sixth.status, 409);
  assert.match(errorOf(sixth.body), /^You already have 5 reference faces, the most allowed: delete one first\.$/);

  const theirs = await call(mallory, 'DELETE', 'references', { id: full[1] });
  assert.equal(theirs.status, 404);
  assert.match(errorOf(theirs.body), /^No reference face ".+" among yours/);
  assert.deepEqual(ids((await refs(grace)).body), full, "nothing of grace's was touched");

  const removed = await call(grace, 'DELETE', 'references', { id: 'profile' });
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  assert.deepEqual(ids(removed.body), full.filter((id) => id !== 'profile'));
  assert.deepEqual(ids((await refs(grace)).body), full.filter((id) => id !== 'profile'), 'not computed again');
  const again = await call(grace, 'DELETE', 'references', { id: 'profile' });
  assert.equal(again.status, 404);
});

const surePosts = (final: { matches: Array<{ band?: string; postId: string }> }) => final.matches.filter((m) => m.band === 'match').map((m) => m.postId).sort();

test('a search keeps the references it started with, though they change while it runs; review_match refuses a photo not in the job and a job that is gone', { timeout: 480_000 }, async () => {
  const ada = 'local|ada';
  const token = await identity.issueAccessToken({ sub: ada });
  const before = ids((await refs(ada)).body);
  assert.ok(before.includes('profile') && before.length >= 2, `Ada's face: her picture and the photo the first test added: ${JSON.stringify(before)}`);
  const started = await register(token, { hashtag: `#${DEMO_HASHTAG}` });
  assert.equal(started.status, 202);
  const { jobId } = (await started.json()) as RegisterSearchResponse;

  // While the search waits out X's 429, Ada's references become Grace's face alone (demo photo 3's).
  const grace = await call(ada, 'POST', 'references', { image: (await renderDemoPicture(DEMO_USERS[1]!.crop)).toString('base64') });
  assert.equal(grace.status, 201, JSON.stringify(grace.body));
  for (const id of before) assert.equal((await call(ada, 'DELETE', 'references', { id })).status, 200, `delete ${id}`);
  const changed = ids((await refs(ada)).body);
  assert.equal(changed.length, 1);
  assert.equal(x.searches.filter((s) => s.status === 200).length, 0, `the references changed before X gave the search any post: ${JSON.stringify(x.searches)}`);

  const final = await waitForEnd(token, jobId, 240_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  assert.ok(x.searches[0]?.status === 429 && x.searches.length >= 2, 'the search did wait for X');
  assert.deepEqual(surePosts(final), ['1900000000000000005'], `Ada's team photo, by the references the search started with: ${JSON.stringify(final.matches)}`);
  assert.equal(JSON.stringify(final).includes('descriptor'), false);
  const sure = final.matches.filter((m) => m.band === 'match');

  // A search started now uses the new set: Grace's workshop photo, not Ada's team photo.
  const next = await register(token, { hashtag: `#${DEMO_HASHTAG}` });
  assert.equal(next.status, 202);
  const nextFinal = await waitForEnd(token, ((await next.json()) as RegisterSearchResponse).jobId, 200_000);
  assert.equal(nextFinal.status, 'done', JSON.stringify(nextFinal));
  assert.deepEqual(surePosts(nextFinal), ['1900000000000000004'], `by the changed references: ${JSON.stringify(nextFinal.matches)}`);

  const photo = sure[0]!.imageUrl;
  const me = await call(ada, 'POST', 'review_match', { jobId, imageUrl: photo, decision: 'me' });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  const notInJob = await call(ada, 'POST', 'review_match', { jobId, imageUrl: 'https://pbs.twimg.com/media/elsewhere.jpg', decision: 'not-me' });
  assert.equal(notInJob.status, 404);
  assert.match(errorOf(notInJob.body), /^That photo is not one this search has checked/);
  const badDecision = await call(ada, 'POST', 'review_match', { jobId, imageUrl: photo, decision: 'maybe' });
  assert.equal(badDecision.status, 400);
  assert.match(errorOf(badDecision.body), /^Decision must be one of me, not-me/);
  const someoneElse = await call('local|grace', 'POST', 'review_match', { jobId, imageUrl: photo, decision: 'not-me' });
  assert.equal(someoneElse.status, 404);

  const status = await (await fetch(`${stack.apiBase}/search_status?jobId=${jobId}`, { headers: { authorization: `Bearer ${token}` } })).json();
  assert.deepEqual((status as typeof final).matches.find((m) => m.imageUrl === photo)?.decision, 'me', 'the decision is kept');

  // The job expires (its keys go, as their TTL would make them): a review is then a 404 that says so.
  const redis = connectRedis(stack.redisUrl);
  await redis.del(...(await redis.keys(`findme:job:${jobId}*`)));
  const expired = await call(ada, 'POST', 'review_match', { jobId, imageUrl: photo, decision: 'not-me' });
  assert.equal(expired.status, 404);
  assert.match(errorOf(expired.body), /^That search was not found: it may have expired/);
});
