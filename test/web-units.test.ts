import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MatchRecord } from '../actions/lib/types';
import { explain } from '../web/src/api';
import { boxPercent } from '../web/src/box';
import { similarity, toCsv, toMarkdown } from '../web/src/export';
import { nextInterval, progressOf } from '../web/src/follow';

const match = (over: Partial<MatchRecord> = {}): MatchRecord => ({
  tweetId: '1900',
  tweetUrl: 'https://x.com/ada/status/1900',
  imageUrl: 'https://pbs.twimg.com/media/a.jpg',
  box: { x: 10, y: 20, width: 30, height: 40 },
  distance: 0.25,
  imageWidth: 200,
  imageHeight: 100,
  ...over,
});

test('the Markdown export has a row per match, with link, photo and similarity', () => {
  const text = toMarkdown('jsconfeu', [match(), match({ tweetId: '1901', tweetUrl: 'https://x.com/b/status/1901', distance: 0.5 })]);
  assert.equal(
    text,
    [
      '# Photos of me at #jsconfeu',
      '',
      '2 photos found by findme.',
      '',
      '| Post | Photo | Similarity |',
      '| --- | --- | --- |',
      '| [1900](https://x.com/ada/status/1900) | ![photo](https://pbs.twimg.com/media/a.jpg) | 75 % |',
      '| [1901](https://x.com/b/status/1901) | ![photo](https://pbs.twimg.com/media/a.jpg) | 50 % |',
      '',
    ].join('\n'),
  );
  assert.match(toMarkdown('a|b', []), /^# Photos of me at #a\\\|b\n\n0 photos found/);
  const odd = toMarkdown('t', [match({ tweetUrl: 'https://x.com/a_(b)/status/1', imageUrl: 'https://pbs.twimg.com/media/a b|c.jpg' })]);
  assert.match(odd, /\| \[1900\]\(https:\/\/x\.com\/a_%28b%29\/status\/1\) \| !\[photo\]\(https:\/\/pbs\.twimg\.com\/media\/a%20b%7Cc\.jpg\) \| 75 % \|\n$/);
});

test('the CSV export quotes what needs quoting (RFC 4180)', () => {
  const csv = toCsv([match({ tweetUrl: 'https://x.com/a,"b"/status/1' })]);
  const [header, row, end] = csv.split('\r\n');
  assert.equal(header, 'tweet_id,tweet_url,image_url,similarity_percent,distance,box_x,box_y,box_width,box_height');
  assert.equal(row, '1900,"https://x.com/a,""b""/status/1",https://pbs.twimg.com/media/a.jpg,75,0.2500,10,20,30,40');
  assert.equal(end, '');
  assert.match(toCsv([match({ tweetId: 'line\nbreak' })]), /\r\n"line\nbreak",https:/);
});

test('similarity is 1 − distance as a whole percentage, within 0–100', () => {
  assert.deepEqual([similarity(0), similarity(0.25), similarity(1.2), similarity(-0.1)], [100, 75, 0, 100]);
});

test('a face box becomes percentages of its image, clamped', () => {
  assert.deepEqual(boxPercent({ x: 10, y: 20, width: 30, height: 40 }, 200, 100), { left: 5, top: 20, width: 15, height: 40 });
  assert.deepEqual(boxPercent({ x: 190, y: 0, width: 30, height: 10 }, 200, 100).width, 15);
  assert.deepEqual(boxPercent({ x: 1, y: 1, width: 1, height: 1 }, 0, 0), { left: 0, top: 0, width: 0, height: 0 });
});

test('the default polling stays at or under one request a second', async () => {
  const { DEFAULT_BACKOFF } = await import('../web/src/follow');
  assert.ok(DEFAULT_BACKOFF.minMs >= 1000);
});

test('polling backs off while nothing changes and snaps back when something does', () => {
  const b = { minMs: 400, maxMs: 4000, factor: 1.6 };
  const seq = [400];
  for (let i = 0; i < 8; i++) seq.push(nextInterval(seq.at(-1)!, false, b));
  assert.deepEqual(seq, [400, 640, 1024, 1638, 2621, 4000, 4000, 4000, 4000]);
  assert.equal(nextInterval(4000, true, b), 400);
});

test('progress counts processed and failed photos against the total; done is 100', () => {
  assert.equal(progressOf({ processed: 3, failed: 1, total: 8, status: 'comparing' }), 50);
  assert.equal(progressOf({ processed: 0, failed: 0, total: 0, status: 'searching' }), 0);
  assert.equal(progressOf({ processed: 0, failed: 0, total: 0, status: 'done' }), 100);
});

test("failed requests are explained in words, with the server's own message where it sent one", () => {
  assert.equal(explain(400, 'hashtag is empty', 'search'), 'hashtag is empty');
  assert.equal(explain(400, undefined, 'search'), 'That request was not accepted.');
  assert.equal(explain(401, 'invalid access token: expired', 'search'), 'Your session has expired. Log in again. (findme said: invalid access token: expired)');
  assert.equal(explain(401, undefined, 'search'), 'Your session has expired. Log in again.');
  assert.match(explain(404, 'no search x for this user', 'status'), /^Search not found: .*\(findme said: no search x for this user\)$/);
  assert.match(explain(404, undefined, 'search'), /apiBase/);
  assert.equal(explain(429, 'Too many requests in the last minute', 'search'), 'findme is busy. Wait a minute and try again. (findme said: Too many requests in the last minute)');
  assert.equal(explain(503, 'findme is not configured correctly', 'search'), 'findme is having trouble (HTTP 503). Try again in a little while. (findme said: findme is not configured correctly)');
  assert.match(explain(500, undefined, 'search'), /^findme is having trouble \(HTTP 500\)\. Try again in a little while\.$/);
  assert.match(explain(0, undefined, 'search'), /Can't reach findme/);
});

test('following a search waits out 429s and answers with every match; a 404 ends it at once', async () => {
  const { createServer } = await import('node:http');
  const { FindmeApi, ApiError } = await import('../web/src/api');
  const { followSearch } = await import('../web/src/follow');
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('jobId') === 'gone') return res.writeHead(404).end('{"error":"no search"}');
    if (calls <= 2) return res.writeHead(429).end('{"error":"Too many requests"}');
    const done = url.searchParams.get('after') === '1';
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ status: done ? 'done' : 'comparing', hashtag: 't', total: 2, searchDone: true, processed: done ? 2 : 1, failed: 0, matched: 1, matches: done ? [] : [match()], cursor: '1' }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const api = new FindmeApi(`http://127.0.0.1:${port}`, async () => 'token');
    const fast = { minMs: 5, maxMs: 20, factor: 2 };
    const seen: string[] = [];
    const result = await followSearch(api, 'job', { backoff: fast, onMatch: (m) => seen.push(m.tweetId) });
    assert.equal(result.final.status, 'done');
    assert.deepEqual(seen, ['1900']);
    assert.equal(calls, 4, 'two 429s, then two answers');
    await assert.rejects(followSearch(api, 'gone', { backoff: fast }), (e: unknown) => e instanceof ApiError && e.status === 404);
  } finally {
    server.close();
  }
});
