/** The trip report and the exports' appendix: escaped, script-free, dated from the posts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FailureRecord, MatchRecord } from '../actions/lib/types';
import { csvAppendix, datesCovered, escapeHtml, markdownAppendix, postTime, toHtmlReport } from '../client/report';

// 1900000000000000005 was posted on 2025-03-13: its upper bits are milliseconds since X's epoch.
const match = (over: Partial<MatchRecord> = {}): MatchRecord => ({
  source: 'x',
  postId: '1900000000000000005',
  postUrl: 'https://x.com/bo/status/1900000000000000005',
  imageUrl: 'https://pbs.twimg.com/media/a.jpg',
  box: { x: 10, y: 20, width: 30, height: 40 },
  imageWidth: 100,
  imageHeight: 200,
  distance: 0.25,
  ...over,
});
const failure: FailureRecord = { source: 'x', postUrl: 'https://x.com/a/status/1', imageUrl: 'https://pbs.twimg.com/media/b.jpg', reason: 'the photo has too many pixels to check' };

test('a post time comes from its X id; dates covered span the posts', () => {
  assert.equal(new Date(postTime('1900000000000000005')!).toISOString().slice(0, 10), '2025-03-13');
  assert.equal(postTime('abc'), undefined);
  assert.equal(postTime('12'), undefined);
  assert.equal(datesCovered([match()]), '2025-03-13');
  assert.equal(datesCovered([match(), match({ postId: '1910000000000000000' })]), `2025-03-13 to ${new Date(postTime('1910000000000000000')!).toISOString().slice(0, 10)}`);
  assert.equal(datesCovered([match({ postId: 'mastodon-1' })]), undefined);
});

test('the HTML report holds the hashtag, dates, each photo with its text and link, and no script whatever the posts say', () => {
  const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quotes"';
  const html = toHtmlReport('findmedemo', [match({ text: hostile }), match({ postId: '1900000000000000009', postUrl: 'javascript:alert(3)', imageUrl: 'data:text/html,<script>' })], [failure]);
  assert.match(html, /<title>Photos of me at #findmedemo<\/title>/);
  assert.match(html, /2 photos, posted 2025-03-13\. Found by findme\./);
  assert.ok(html.includes(`<blockquote>${escapeHtml(hostile)}</blockquote>`));
  assert.ok(html.includes('<a href="https://x.com/bo/status/1900000000000000005">'));
  assert.doesNotMatch(html, /<script|<img src=x|href="javascript:|src="data:/i, 'nothing from a post can run or load');
  assert.match(html, /javascript:alert\(3\)/, 'an address that is not a web address is shown as text, not linked');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.match(html, /@media print/);
  assert.match(html, /<h2>Photos that could not be checked<\/h2>\n<ul>\n<li><a href="https:\/\/x\.com\/a\/status\/1">https:\/\/x\.com\/a\/status\/1<\/a>: the photo has too many pixels to check<\/li>/);
  assert.match(html, /class="face" style="left:10\.000%;top:10\.000%;width:30\.000%;height:20\.000%"/);
  assert.equal(toHtmlReport('x', [match()], []).includes('could not be checked'), false);
});

test('Markdown and CSV gain the appendix of photos that could not be checked, escaped', () => {
  assert.equal(markdownAppendix([]), '');
  assert.equal(csvAppendix([]), '');
  const odd: FailureRecord = { source: 'x', postUrl: 'https://x.com/a/status/2', imageUrl: '=HYPERLINK("x")', reason: 'HTTP 404 | gone, "really"' };
  assert.equal(markdownAppendix([failure, odd]), '\n## Photos that could not be checked\n\n- <https://x.com/a/status/1>: the photo has too many pixels to check\n- <https://x.com/a/status/2>: HTTP 404 \\| gone, "really"\n');
  assert.equal(csvAppendix([odd]), '\r\nunchecked_post_url,unchecked_image_url,reason\r\nhttps://x.com/a/status/2,"\'=HYPERLINK(""x"")","HTTP 404 | gone, ""really"""\r\n');
});
