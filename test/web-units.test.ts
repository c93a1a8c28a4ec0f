import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePageConfig, WireError, type MatchRecord, type SearchStatusResponse, type SourceProgress } from '../actions/lib/types';
import { explain, loadPageConfig } from '../client/api';
import { boxPercent } from '../client/box';
import { httpsHref, pageHome } from '../web/src/urls';
import { parseOrder, sortMatches } from '../web/src/sort';
import { csvText, similarity, toCsv, toMarkdown } from '../client/export';
import { markdownAppendix } from '../client/report';
import { FollowTimeoutError, followSearch, nextInterval, progressOf, type StatusApi } from '../client/follow';
import { noMatchesMessage, outcomeMessage, progressMessage, sentence } from '../client/outcome';

const match = (over: Partial<MatchRecord> = {}): MatchRecord => ({
  source: 'x',
  postId: '1900',
  postUrl: 'https://x.com/ada/status/1900',
  imageUrl: 'https://pbs.twimg.com/media/a.jpg',
  box: { x: 10, y: 20, width: 30, height: 40 },
  distance: 0.25,
  imageWidth: 200,
  imageHeight: 100,
  ...over,
});

test('the Markdown export has a row per match, with link, photo and similarity', () => {
  const text = toMarkdown('jsconfeu', [match(), match({ postId: '1901', postUrl: 'https://x.com/b/status/1901', distance: 0.5 })]);
  assert.equal(
    text,
    [
      '# Photos of me at #jsconfeu',
      '',
      '2 photos found by findme.',
      '',
      '| Post | Source | Author | Posted | Text | Photo | Similarity |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| [1900](https://x.com/ada/status/1900) | X |  |  |  | ![photo](https://pbs.twimg.com/media/a.jpg) | 75 % |',
      '| [1901](https://x.com/b/status/1901) | X |  |  |  | ![photo](https://pbs.twimg.com/media/a.jpg) | 50 % |',
      '',
    ].join('\n'),
  );
  assert.match(toMarkdown('a|b', []), /^# Photos of me at #a\\\|b\n\n0 photos found/);
  const odd = toMarkdown('t', [match({ postUrl: 'https://x.com/a_(b)/status/1', imageUrl: 'https://pbs.twimg.com/media/a b|c.jpg' })]);
  assert.match(odd, /\| \[1900\]\(https:\/\/x\.com\/a_%28b%29\/status\/1\) \| X \| {2}\| {2}\| {2}\| !\[photo\]\(https:\/\/pbs\.twimg\.com\/media\/a%20b%7Cc\.jpg\) \| 75 % \|\n$/);
});

test('the Markdown export escapes every field a post supplies and links only to https', () => {
  const hostile = match({
    postId: '[x](javascript:alert(1))',
    postUrl: 'javascript:alert(1)',
    imageUrl: 'data:image/svg+xml,<svg onload=alert(1)>',
    author: '<img src=x onerror=alert(1)>',
    text: '**bold** `code` | cell\n# heading & [link](https://evil.example)',
  });
  const md = toMarkdown('t', [hostile]);
  const row = md.split('\n').find((line) => line.startsWith('| \\['))!;
  assert.ok(row, md);
  assert.doesNotMatch(md, /\]\(javascript:/, 'no javascript: link target');
  assert.doesNotMatch(md, /<img|<svg/, 'no raw HTML');
  assert.doesNotMatch(md, /!\[photo\]\(data:/, 'no image from a data: URL');
  assert.equal(row, '| \\[x\\]\\(javascript:alert\\(1\\)\\) | X | &lt;img src=x onerror=alert\\(1\\)&gt; |  | \\*\\*bold\\*\\* \\`code\\` \\| cell # heading &amp; \\[link\\]\\(https://evil.example\\) | photo not at an https address | 75 % |');
  assert.equal(md.split('\n').filter((line) => line.startsWith('|')).length, 3, 'header, rule and one row: the text did not break the table');
  assert.match(toMarkdown('t', [match({ imageUrl: 'http://127.0.0.1:8080/media/1.jpg' })]), /!\[photo\]\(http:\/\/127\.0\.0\.1:8080\/media\/1\.jpg\)/, 'the local stand-ins serve plain http on loopback');
  assert.match(toMarkdown('t', [match({ imageUrl: 'http://photos.example/1.jpg' })]), /photo not at an https address/);
  const appendix = markdownAppendix([{ source: 'x', postUrl: 'javascript:alert(1)', imageUrl: 'https://pbs.twimg.com/media/a.jpg', reason: 'the photo <b>is</b> gone' }]);
  assert.match(appendix, /^- javascript:alert\\\(1\\\): the photo &lt;b&gt;is&lt;\/b&gt; gone$/m);
});

test('the CSV export quotes what needs quoting (RFC 4180)', () => {
  const csv = toCsv([match({ postUrl: 'https://x.com/a,"b"/status/1' })]);
  const [header, row, end] = csv.split('\r\n');
  assert.equal(header, 'post_id,post_url,image_url,similarity_percent,distance,box_x,box_y,box_width,box_height,source,author,posted_at,text');
  assert.equal(row, '1900,"https://x.com/a,""b""/status/1",https://pbs.twimg.com/media/a.jpg,75,0.2500,10,20,30,40,x,,,');
  const full = toCsv([match({ source: 'mastodon', author: '@ada@m.example', createdAt: '2026-03-01T10:00:00.000Z', text: '=cmd|"/c calc", <b>hi</b>' })]).split('\r\n')[1];
  assert.equal(full, `1900,https://x.com/ada/status/1900,https://pbs.twimg.com/media/a.jpg,75,0.2500,10,20,30,40,mastodon,'@ada@m.example,2026-03-01T10:00:00.000Z,"'=cmd|""/c calc"", <b>hi</b>"`, 'author and text are cells like any other: a formula is defused');
  const md = toMarkdown('t', [match({ source: 'bluesky', author: 'ada.bsky.social', createdAt: '2026-03-02T08:00:00.000Z', text: 'a | b\nc' })]);
  assert.match(md, /\| Bluesky \| ada\.bsky\.social \| 2026-03-02 \| a \\\| b c \|/);
  assert.equal(end, '');
  assert.match(toCsv([match({ postId: 'line\nbreak' })]), /\r\n"line\nbreak",https:/);
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
  const { DEFAULT_BACKOFF } = await import('../client/follow');
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

test("failed requests are explained in words for people; only a 400 passes the server's words on", () => {
  assert.equal(explain(400, 'Type a hashtag to search, like #jsconfeu.', 'search'), 'Type a hashtag to search, like #jsconfeu.');
  assert.equal(explain(400, undefined, 'search'), 'That request was not accepted.');
  assert.equal(explain(401, 'invalid access token: expired', 'search'), 'Your session has expired. Log in again.');
  assert.equal(explain(401, undefined, 'search'), 'Your session has expired. Log in again.');
  const long = 'x'.repeat(500);
  assert.equal(explain(404, `no search ${long} for this user`, 'status'), 'Search not found: it may have expired (searches are kept for a day) or belong to someone else.');
  assert.match(explain(404, undefined, 'search'), /apiBase/);
  assert.equal(explain(429, 'Too many requests in the last minute', 'search'), 'findme is busy. Wait a minute and try again.');
  assert.equal(explain(503, 'findme is not configured correctly', 'search'), 'findme is having trouble. Try again in a little while.');
  assert.equal(explain(500, undefined, 'search'), 'findme is having trouble. Try again in a little while.');
  assert.match(explain(0, undefined, 'search'), /Can't reach findme/);
  for (const status of [0, 400, 401, 404, 418, 429, 500, 503]) assert.doesNotMatch(explain(status, 'detail', 'search'), /findme said|HTTP \d/);
});

test("a search's outcome reads as a sentence: nothing found says where findme looked", () => {
  const base: SearchStatusResponse = { status: 'done', hashtag: 'nobodyhere', total: 0, searchDone: true, processed: 0, failed: 0, matched: 0, matches: [], failures: [], cursor: '' };
  assert.deepEqual(outcomeMessage(base), { text: 'No posts with photos under #nobodyhere in the last 7 days on X.', failed: false });
  assert.equal(noMatchesMessage(base), undefined);
  const three = (['x', 'mastodon', 'bluesky'] as const).map((source): SourceProgress => ({ source, status: 'done', posts: 0, photos: 0 }));
  assert.equal(outcomeMessage({ ...base, sources: three }).text, 'No posts with photos under #nobodyhere in the last 7 days on X, on Mastodon or on Bluesky.');
  assert.equal(outcomeMessage({ ...base, sources: [three[1]!] }).text, 'No posts with photos under #nobodyhere on Mastodon.');
  const some = { ...base, hashtag: 'findmedemo', total: 6, processed: 5, failed: 1, matched: 1 };
  assert.equal(outcomeMessage(some).text, 'Done: 1 of 6 photos show you (1 could not be checked).');
  assert.equal(noMatchesMessage({ ...some, matched: 0 }), 'None of the 6 photos show you.');
  assert.equal(outcomeMessage({ ...some, failed: 0, processed: 6, maybe: 1 }).text, 'Done: 1 of 6 photos show you. 1 more may show you: check it.');
  assert.equal(outcomeMessage({ ...some, failed: 0, processed: 6, maybe: 2 }).text, 'Done: 1 of 6 photos show you. 2 more may show you: check them.');
  assert.deepEqual(outcomeMessage({ ...base, status: 'failed', error: 'profile picture: no face found' }), { text: 'The search failed. Profile picture: no face found.', failed: true });
  // A one-source search failed with the source's note, which does not name the source: the outcome does, once.
  const refused: SourceProgress = { source: 'bluesky', status: 'failed', posts: 0, photos: 0, note: "refused findme's login" };
  assert.equal(outcomeMessage({ ...base, status: 'failed', error: refused.note!, sources: [refused] }).text, "The search failed. Bluesky: refused findme's login.");
  assert.equal(outcomeMessage({ ...base, status: 'failed', error: 'the search stalled', sources: [refused] }).text, 'The search failed. The search stalled.');
  assert.equal(progressMessage({ searchDone: false, total: 3, processed: 0, failed: 0 }), 'Searching posts…');
  assert.equal(progressMessage({ searchDone: true, total: 6, processed: 0, failed: 0 }), 'Preparing the face engine…');
  assert.equal(progressMessage({ searchDone: true, total: 6, processed: 1, failed: 0 }), 'Checking photos…');
  assert.equal(sentence('no reason'), 'No reason.');
  assert.equal(sentence('Done.'), 'Done.');
});

test('following a search waits out 429s and answers with every match; a 404 ends it at once', async () => {
  const { createServer } = await import('node:http');
  const { FindmeApi, ApiError } = await import('../client/api');
  const { followSearch } = await import('../client/follow');
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('jobId') === 'gone') return res.writeHead(404).end('{"error":"no search"}');
    if (calls <= 2) return res.writeHead(429).end('{"error":"Too many requests"}');
    const done = url.searchParams.get('after') === '1';
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ status: done ? 'done' : 'comparing', hashtag: 't', total: 2, searchDone: true, processed: done ? 2 : 1, failed: 0, matched: 1, matches: done ? [] : [match()], cursor: '1', failures: [] }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const api = new FindmeApi(`http://127.0.0.1:${port}`, async () => 'token');
    const fast = { minMs: 5, maxMs: 20, factor: 2 };
    const seen: string[] = [];
    const result = await followSearch(api, 'job', { backoff: fast, onMatch: (m) => seen.push(m.postId) });
    assert.equal(result.final.status, 'done');
    assert.deepEqual(seen, ['1900']);
    assert.equal(calls, 4, 'two 429s, then two answers');
    await assert.rejects(followSearch(api, 'gone', { backoff: fast }), (e: unknown) => e instanceof ApiError && e.status === 404);
  } finally {
    server.close();
  }
});

test('a CSV cell a spreadsheet would run as a formula starts with a quote; generated numbers stay numbers', () => {
  assert.deepEqual(
    ['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx', 'https://x.com/a', '1900', ''].map(csvText),
    ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", 'https://x.com/a', '1900', ''],
  );
  const csv = toCsv([match({ postId: '=1+1', postUrl: '@https://x.com/a', imageUrl: '-https://pbs.twimg.com/a.jpg', box: { x: -5, y: 0, width: 3, height: 4 } })]);
  assert.equal(csv.split('\r\n')[1], "'=1+1,'@https://x.com/a,'-https://pbs.twimg.com/a.jpg,75,0.2500,-5,0,3,4,x,,,");
  // Quoting still applies after the prefix: the cell stays one cell.
  assert.equal(toCsv([match({ postId: '=a,b' })]).split('\r\n')[1]!.split(',https:')[0], `"'=a,b"`);
});

test('only https: URLs become links', () => {
  assert.equal(httpsHref('https://x.com/ada/status/1'), 'https://x.com/ada/status/1');
  for (const url of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', 'http://x.com/a', 'vbscript:x', '//x.com/a', 'not a url', '']) {
    assert.equal(httpsHref(url), undefined, url);
  }
});

test("the page's home is its own directory, without query or hash", () => {
  assert.equal(pageHome('http://127.0.0.1:8080/?job=1#top'), 'http://127.0.0.1:8080/');
  assert.equal(pageHome('https://example.org/tools/findme/?job=1'), 'https://example.org/tools/findme/');
  assert.equal(pageHome('https://example.org/tools/findme/index.html?code=x&state=y'), 'https://example.org/tools/findme/');
});

test("config.json is checked for findme's shape, naming what is wrong", () => {
  const good = { apiBase: 'https://ow.example/api/v1/web/ns/findme', auth0: { domain: 'd.auth0.com', clientId: 'c', audience: 'https://a' } };
  assert.deepEqual(parsePageConfig(good), good);
  assert.deepEqual(parsePageConfig({ ...good, demoHashtag: 'findmedemo', extra: 1 }), { ...good, demoHashtag: 'findmedemo' });
  const wrong: Array<[unknown, string]> = [
    [undefined, 'it is not a JSON object'],
    [[good], 'it is not a JSON object'],
    [{ ...good, apiBase: 3 }, 'apiBase is not a string'],
    [{ apiBase: 'x' }, 'auth0 is not an object'],
    [{ ...good, auth0: { ...good.auth0, domain: '' } }, 'auth0.domain is not a string'],
    [{ ...good, auth0: { domain: 'd', clientId: 'c' } }, 'auth0.audience is not a string'],
    [{ ...good, demoHashtag: 5 }, 'demoHashtag is not a string'],
  ];
  for (const [body, problem] of wrong) {
    assert.throws(() => parsePageConfig(body), (e: unknown) => e instanceof WireError && e.message === problem);
  }
});

test('a config.json that is not there, or not JSON, is told as such, not as a wrong apiBase', async () => {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.url === '/html/config.json') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>hello</p>');
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    await assert.rejects(loadPageConfig(`http://127.0.0.1:${port}/sub/?job=1`), {
      name: 'ConfigError',
      message: "config.json is missing or not findme's config: fetching it answered HTTP 404",
    });
    await assert.rejects(loadPageConfig(`http://127.0.0.1:${port}/html/`), { message: "config.json is missing or not findme's config: it is not a JSON object" });
  } finally {
    server.close();
  }
});

const statusOf = (over: Partial<SearchStatusResponse>): SearchStatusResponse => ({
  status: 'comparing',
  hashtag: 't',
  total: 2,
  searchDone: true,
  processed: 0,
  failed: 0,
  matched: 0,
  matches: [],
  failures: [],
  cursor: 'c',
  ...over,
});

/** A status API whose answers the test hands out one at a time, recording the signal each request got. */
function scriptedApi() {
  const pending: Array<{ signal: AbortSignal | undefined; answer: (status: SearchStatusResponse) => void }> = [];
  let arrived: () => void = () => undefined;
  const api: StatusApi = {
    status: (_jobId, _after, signal) =>
      new Promise((resolve) => {
        pending.push({ signal, answer: resolve });
        arrived();
      }),
  };
  /** Resolves once the nth request (1-based) has been made. */
  const request = (n: number) =>
    new Promise<(typeof pending)[number]>((resolve) => {
      const check = () => (pending.length >= n ? resolve(pending[n - 1]!) : undefined);
      arrived = check;
      check();
    });
  return { api, request, pending };
}

test('aborting while a status request is in flight cancels it, and its late answer reaches no callback', async () => {
  const { api, request } = scriptedApi();
  const controller = new AbortController();
  const seen: string[] = [];
  const following = followSearch(api, 'old', {
    signal: controller.signal,
    onMatch: (m) => seen.push(`match ${m.postId}`),
    onStatus: (s) => seen.push(`status ${s.status}`),
  });
  const first = await request(1);
  assert.equal(first.signal, controller.signal, 'the request is given the signal, so fetch can cancel it');
  controller.abort();
  // The old search's answer comes back anyway (as a response already on its way would): done, with a match.
  first.answer(statusOf({ status: 'done', matched: 1, matches: [match()] }));
  await assert.rejects(following, /stopped following/);
  assert.deepEqual(seen, [], 'no match, no status and no result after the abort');
});

test('aborting during the wait between polls ends following without another request', async () => {
  const { api, request, pending } = scriptedApi();
  const controller = new AbortController();
  // An hour between polls: following only ends here if the abort cuts the wait short.
  const hour = { minMs: 3_600_000, maxMs: 3_600_000, factor: 1 };
  const following = followSearch(api, 'old', { signal: controller.signal, backoff: hour, timeoutMs: 2 * 3_600_000 });
  (await request(1)).answer(statusOf({ status: 'comparing' }));
  // Give the answer a turn to be handled, so the abort lands in the wait rather than before it.
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  await assert.rejects(following, /stopped following/);
  assert.equal(pending.length, 1);
});

test('following gives up at its deadline with the matches so far', async () => {
  const { api, request } = scriptedApi();
  const following = followSearch(api, 'slow', { backoff: { minMs: 10, maxMs: 10, factor: 1 }, timeoutMs: 0 });
  (await request(1)).answer(statusOf({ status: 'comparing', matched: 1, matches: [match()] }));
  await assert.rejects(following, (e: unknown) => {
    assert.ok(e instanceof FollowTimeoutError);
    assert.deepEqual(e.matches.map((m) => m.postId), ['1900']);
    assert.equal(e.last?.status, 'comparing');
    return true;
  });
});

test("FindmeApi.status cancels its request when the caller's signal aborts", async () => {
  const { createServer } = await import('node:http');
  const { FindmeApi } = await import('../client/api');
  const controller = new AbortController();
  let closed!: () => void;
  const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
  // Never answers: the request ends only if the client cancels it.
  const server = createServer((req) => {
    req.socket.once('close', closed);
    controller.abort();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const api = new FindmeApi(`http://127.0.0.1:${port}`, async () => 'token');
    await assert.rejects(api.status('job', undefined, controller.signal), { name: 'AbortError' });
    await connectionClosed;
  } finally {
    server.close();
  }
});

test('matches sort by post date (newest first) or by similarity (closest face first); ties keep arrival order', () => {
  const arrived = [match({ postId: '1900000000000000002', distance: 0.5 }), match({ postId: '999999999999999999', distance: 0.2 }), match({ postId: '1900000000000000010', distance: 0.4 })];
  assert.deepEqual(sortMatches(arrived, 'date').map((m) => m.postId), ['1900000000000000010', '1900000000000000002', '999999999999999999']);
  assert.deepEqual(sortMatches(arrived, 'similarity').map((m) => m.distance), [0.2, 0.4, 0.5]);
  assert.deepEqual(arrived.map((m) => m.postId)[0], '1900000000000000002', 'the list itself is left as it was');
  const odd = [match({ postId: 'b', distance: 0.3 }), match({ postId: 'a', distance: 0.3 })];
  assert.deepEqual(sortMatches(odd, 'date').map((m) => m.postId), ['b', 'a']);
  assert.deepEqual(sortMatches(odd, 'similarity').map((m) => m.postId), ['b', 'a']);
  assert.equal(parseOrder('similarity'), 'similarity');
  assert.equal(parseOrder('anything'), 'date');
});

test('reading reference faces outwaits a cold face engine; a status request keeps its short timeout', async () => {
  const { createServer } = await import('node:http');
  const { FindmeApi, ApiError, isTransient } = await import('../client/api');
  // Every answer comes 300 ms late, as the references action does while reference_face loads its models.
  const server = createServer((req, res) => {
    setTimeout(() => {
      const body = req.url?.startsWith('/references') ? { references: [], max: 5 } : { status: 'comparing' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }, 300);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const api = new FindmeApi(`http://127.0.0.1:${port}`, async () => 'token', { requestMs: 100, facesMs: 2_000 });
    assert.deepEqual(await api.references(), { references: [], max: 5 });
    await assert.rejects(api.status('job'), (e: unknown) => e instanceof ApiError && e.status === 0 && isTransient(e));
  } finally {
    server.close();
  }
  assert.ok(isTransient(new ApiError(503, 'busy')) && isTransient(new ApiError(429, 'throttled')));
  assert.ok(!isTransient(new ApiError(422, 'no face')) && !isTransient(new ApiError(401, 'expired')) && !isTransient(new Error('x')));
});
