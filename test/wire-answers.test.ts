/** The parsers of the web actions' answers and queries (actions/lib/types.ts), as the page and the CLI call them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseCancelSearchResponse,
  parseErrorBody,
  parseJobRecord,
  parseJobReferences,
  parseMySearchesResponse,
  parseReferencesResponse,
  parseRegisterSearchResponse,
  parseReviewMatchResponse,
  parseSearchStatusQuery,
  parseSearchStatusResponse,
  WireError,
  type SearchStatusResponse,
} from '../actions/lib/types';

const thumbnail = 'data:image/jpeg;base64,/9j/4AAQ';

const status: SearchStatusResponse = {
  status: 'comparing',
  hashtag: 'jsconfeu',
  total: 4,
  searchDone: true,
  processed: 2,
  failed: 1,
  matched: 1,
  maybe: 1,
  searchNote: 'stopped at the post limit',
  sources: [
    { source: 'x', status: 'done', posts: 7, photos: 3, note: 'stopped at the post limit' },
    { source: 'mastodon', status: 'searching', posts: 2, photos: 1 },
  ],
  matches: [
    {
      source: 'mastodon',
      postId: 'https://m.example/users/ada/statuses/1',
      postUrl: 'https://m.example/@ada/1',
      imageUrl: 'https://files.m.example/a.jpg',
      author: 'ada@m.example',
      text: 'on stage',
      createdAt: '2026-03-01T10:00:00.000Z',
      box: { x: -3, y: 4, width: 50, height: 60 },
      distance: 0.52,
      imageWidth: 800,
      imageHeight: 600,
      band: 'maybe',
      decision: 'me',
    },
  ],
  cursor: '3',
  failures: [{ source: 'x', postUrl: '', imageUrl: 'https://pbs.twimg.com/media/b.jpg', reason: 'HTTP 404' }],
  retrying: 2,
};

/** Asserts that `parse(body)` is a WireError whose message matches `message`. */
function refuses<T>(parse: (body: T) => unknown, body: T, message: RegExp): void {
  assert.throws(() => parse(body), (e: unknown) => e instanceof WireError && message.test(e.message), message.source);
}

test('a search_status answer as the action writes it reads back whole; fields of no use are left out', () => {
  assert.deepEqual(parseSearchStatusResponse(JSON.parse(JSON.stringify(status))), status);
  const plain = { status: 'queued', hashtag: 't', total: 0, searchDone: false, processed: 0, failed: 0, matched: 0, matches: [], cursor: '0', failures: [] };
  assert.deepEqual(parseSearchStatusResponse({ ...plain, owner: 'auth0|x', pictureUrl: 'https://p' }), plain);
});

test('a search_status answer of another shape names the action and the field', () => {
  const match = status.matches[0]!;
  refuses(parseSearchStatusResponse, { ...status, status: 'paused' }, /^search_status: status must be one of queued, searching, comparing, done, failed, cancelled, got "paused"$/);
  refuses(parseSearchStatusResponse, { ...status, matches: [{ ...match, distance: 'near' }] }, /^search_status: matches\[0\]\.distance must be a number ≥ 0, got "near"$/);
  refuses(parseSearchStatusResponse, { ...status, matches: [{ ...match, decision: 'maybe' }] }, /^search_status: matches\[0\]\.decision must be one of me, not-me/);
  refuses(parseSearchStatusResponse, { ...status, failures: undefined }, /^search_status: failures must be a list, got nothing$/);
  refuses(parseSearchStatusResponse, { ...status, sources: [{ source: 'x', status: 'done', posts: 1 }] }, /^search_status: sources\[0\]\.photos must be a number/);
  refuses(parseSearchStatusResponse, { ...status, searchDone: 'yes' }, /^search_status: searchDone must be true or false, got "yes"$/);
  refuses(parseSearchStatusResponse, '<!doctype html>', /^search_status: status must be one of/);
});

test('the other web actions’ answers read back whole, and one of another shape names its action and field', () => {
  const searches = { searches: [{ id: 'a1', hashtag: 't', status: 'done', created: 1, total: 2, searchDone: true, processed: 2, failed: 0, matched: 1 }] };
  assert.deepEqual(parseMySearchesResponse(searches), searches);
  refuses(parseMySearchesResponse, { searches: [{ ...searches.searches[0], created: 'today' }] }, /^my_searches: searches\[0\]\.created must be a number/);
  assert.deepEqual(parseCancelSearchResponse({ jobId: 'a1', status: 'cancelled' }), { jobId: 'a1', status: 'cancelled' });
  refuses(parseCancelSearchResponse, { jobId: 'a1' }, /^my_searches: status must be one of/);
  const references = { references: [{ id: 'profile', source: 'profile', thumbnail, added: 5 }], max: 5, profileNote: 'no face in it' };
  assert.deepEqual(parseReferencesResponse(references), references);
  refuses(parseReferencesResponse, { ...references, references: [{ ...references.references[0], thumbnail: 'https://x/a.png' }] }, /^references: references\[0\]\.thumbnail must be a JPEG data URL$/);
  refuses(parseReferencesResponse, { references: [] }, /^references: max must be a number/);
  assert.deepEqual(parseReviewMatchResponse({ jobId: 'a1', imageUrl: 'https://i/a.jpg', decision: 'not-me' }), { jobId: 'a1', imageUrl: 'https://i/a.jpg', decision: 'not-me' });
  refuses(parseReviewMatchResponse, { jobId: 'a1', imageUrl: 'https://i/a.jpg', decision: 'no' }, /^review_match: decision must be one of me, not-me, got "no"$/);
  assert.deepEqual(parseRegisterSearchResponse({ jobId: 'a1' }), { jobId: 'a1' });
  refuses(parseRegisterSearchResponse, {}, /^register_search: jobId must be a non-empty string, got nothing$/);
});

test("an error body is findme's only when it carries a text error", () => {
  assert.deepEqual(parseErrorBody({ error: 'Type a hashtag.' }), { error: 'Type a hashtag.' });
  for (const body of [undefined, null, '<html>', { error: 3 }, { message: 'x' }]) assert.equal(parseErrorBody(body), undefined, JSON.stringify(body));
});

test('the search_status query: a job id, and a cursor that may come as a number', () => {
  assert.deepEqual(parseSearchStatusQuery({ jobId: 'j' }), { jobId: 'j' });
  assert.deepEqual(parseSearchStatusQuery({ jobId: 'j', after: 5 }), { jobId: 'j', after: '5' });
  assert.deepEqual(parseSearchStatusQuery({ jobId: 'j', after: '' }), { jobId: 'j', after: '' });
  refuses(parseSearchStatusQuery, {}, /^jobId is required/);
  refuses(parseSearchStatusQuery, { jobId: 7 }, /^jobId is required/);
  refuses(parseSearchStatusQuery, { jobId: 'j', after: { x: 1 } }, /^after must be a cursor from a previous answer$/);
});

test('a job hash with a status findme never writes, or references that are not a list, names the field', () => {
  assert.throws(() => parseJobRecord('j1', { status: 'paused', owner: 'o' }), (e: unknown) => e instanceof WireError && /^job j1\.status must be one of queued, .*, got "paused"$/.test(e.message));
  assert.deepEqual(parseJobReferences('["ab","cd"]', 'job j1.references'), ['ab', 'cd']);
  for (const json of ['{"a":1}', '[1]', 'not json']) assert.throws(() => parseJobReferences(json, 'job j1.references'), (e: unknown) => e instanceof WireError && /^job j1\.references /.test(e.message), json);
});
