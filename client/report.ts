/**
 * The trip report: one self-contained HTML file (styles inline, no script, every text escaped) with the hashtag,
 * the dates the photos cover and each photo with its post's text and link, ready to print to PDF; and the
 * appendix of photos that could not be checked, with reasons, which the Markdown and CSV exports carry too.
 */
import type { FailureRecord, MatchRecord } from '../actions/lib/types';
import { boxPercent } from './box';
import { csvField, csvText, similarity } from './export';
import { markdownText, markdownUrl } from './markdown';
import { postedAt, sourceLabel } from './post';

export { postTime } from './post';

/** Text for HTML, in element content and in quoted attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only web addresses are linked or shown as images; anything else (javascript:, data:, …) is left out. */
function webUrl(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? escapeHtml(url) : undefined;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** "2026-03-01 to 2026-03-03", one day, or undefined when no post's date is known. */
export function datesCovered(matches: readonly MatchRecord[]): string | undefined {
  const times = matches.map((m) => postedAt(m)).filter((t): t is number => t !== undefined);
  if (times.length === 0) return undefined;
  const [first, last] = [day(Math.min(...times)), day(Math.max(...times))];
  return first === last ? first : `${first} to ${last}`;
}

/** Post text, when the record carries it (sources that give it); the report says nothing rather than guess. */
function postText(match: MatchRecord): string | undefined {
  return match.text !== undefined && match.text.trim() !== '' ? match.text : undefined;
}

function photoSection(match: MatchRecord): string {
  const image = webUrl(match.imageUrl);
  const post = webUrl(match.postUrl);
  const box = boxPercent(match.box, match.imageWidth, match.imageHeight);
  const outline = `left:${box.left.toFixed(3)}%;top:${box.top.toFixed(3)}%;width:${box.width.toFixed(3)}%;height:${box.height.toFixed(3)}%`;
  const time = postedAt(match);
  const text = postText(match);
  return [
    '<article class="photo">',
    image ? `<div class="frame"><img src="${image}" alt="Photo from post ${escapeHtml(match.postId)}" referrerpolicy="no-referrer"><span class="face" style="${outline}"></span></div>` : '',
    text ? `<blockquote>${escapeHtml(text)}</blockquote>` : '',
    `<p class="meta">${escapeHtml(sourceLabel(match.source))}${match.author ? ` · ${escapeHtml(match.author)}` : ''} · ${time ? `${day(time)} · ` : ''}${similarity(match.distance)}% similar · ${post ? `<a href="${post}">${post}</a>` : escapeHtml(match.postUrl)}</p>`,
    '</article>',
  ].join('\n');
}

function appendixHtml(failures: readonly FailureRecord[]): string {
  if (failures.length === 0) return '';
  const rows = failures.map((f) => {
    const post = webUrl(f.postUrl);
    return `<li>${post ? `<a href="${post}">${post}</a>` : escapeHtml(f.postUrl)}: ${escapeHtml(f.reason)}</li>`;
  });
  return ['<section class="appendix">', '<h2>Photos that could not be checked</h2>', '<ul>', ...rows, '</ul>', '</section>'].join('\n');
}

const STYLE = `body{font-family:system-ui,sans-serif;color:#111827;max-width:60rem;margin:2rem auto;padding:0 1rem;overflow-wrap:anywhere}
h1{margin-bottom:.2rem}.covered{color:#4b5563;margin-top:0}
.photo{margin:1.5rem 0;break-inside:avoid}.frame{position:relative;line-height:0}.frame img{width:100%;height:auto}
.face{position:absolute;border:3px solid #facc15;border-radius:6px;box-shadow:0 0 0 2px #0008}
blockquote{margin:.6rem 0;padding-left:.8rem;border-left:3px solid #d1d5db;white-space:pre-wrap}.meta{color:#4b5563}
@media print{body{margin:0;max-width:none}a{color:inherit}.photo{page-break-inside:avoid}.appendix{page-break-before:always}}`;

/** The whole report as one HTML document. */
export function toHtmlReport(hashtag: string, matches: readonly MatchRecord[], failures: readonly FailureRecord[]): string {
  const title = `Photos of me at #${escapeHtml(hashtag)}`;
  const covered = datesCovered(matches);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No script can run in it, whatever a post's text holds: the escaping is the first guard, this the second.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https: http:; style-src 'unsafe-inline'">`,
    `<title>${title}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${title}</h1>`,
    `<p class="covered">${matches.length} ${matches.length === 1 ? 'photo' : 'photos'}${covered ? `, posted ${covered}` : ''}. Found by findme.</p>`,
    ...matches.map(photoSection),
    appendixHtml(failures),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The post's address as a Markdown autolink when it may be linked (markdownUrl), else as escaped text. */
function postAutolink(url: string): string {
  const target = markdownUrl(url);
  return target ? `<${target}>` : markdownText(url);
}

/** The appendix as Markdown, appended to the Markdown export ('' when every photo was checked). */
export function markdownAppendix(failures: readonly FailureRecord[]): string {
  if (failures.length === 0) return '';
  return ['', '## Photos that could not be checked', '', ...failures.map((f) => `- ${postAutolink(f.postUrl)}: ${markdownText(f.reason)}`), ''].join('\n');
}

/** The appendix as CSV rows after one empty line, with a header of its own ('' when every photo was checked). */
export function csvAppendix(failures: readonly FailureRecord[]): string {
  if (failures.length === 0) return '';
  const rows = [['unchecked_post_url', 'unchecked_image_url', 'reason'], ...failures.map((f) => [csvText(f.postUrl), csvText(f.imageUrl), csvText(f.reason)])];
  return '\r\n' + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
