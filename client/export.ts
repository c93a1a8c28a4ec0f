/** The trip-report exports of the matches: Markdown and CSV (RFC 4180). */
import type { MatchRecord } from '../actions/lib/types';
import { postedDay, sourceLabel } from './post';

export function similarity(distance: number): number {
  return Math.max(0, Math.min(100, Math.round((1 - distance) * 100)));
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Characters that would end a Markdown link target or a table cell, percent-encoded: the URL still means the same. */
function markdownUrl(url: string): string {
  return url.replace(/[()<>|\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function toMarkdown(hashtag: string, matches: MatchRecord[]): string {
  const lines = [
    `# Photos of me at #${markdownCell(hashtag)}`,
    '',
    `${matches.length} ${matches.length === 1 ? 'photo' : 'photos'} found by findme.`,
    '',
    '| Post | Source | Author | Posted | Text | Photo | Similarity |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...matches.map(
      (m) =>
        `| [${markdownCell(m.postId)}](${markdownUrl(m.postUrl)}) | ${sourceLabel(m.source)} | ${markdownCell(m.author ?? '')} | ${postedDay(m)} | ${markdownCell(m.text ?? '')} | ![photo](${markdownUrl(m.imageUrl)}) | ${similarity(m.distance)} % |`,
    ),
  ];
  return lines.join('\n') + '\n';
}

/**
 * A text cell that a spreadsheet would read as a formula (= + - @, or a leading tab or CR that some strip first)
 * gets a leading quote, so opening the export never runs what a post's URL or id smuggled in. Numbers findme
 * computes stay numbers: they go through csvField directly.
 */
export function csvText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(matches: MatchRecord[]): string {
  const header = ['post_id', 'post_url', 'image_url', 'similarity_percent', 'distance', 'box_x', 'box_y', 'box_width', 'box_height', 'source', 'author', 'posted_at', 'text'];
  const rows = matches.map((m) => [
    csvText(m.postId),
    csvText(m.postUrl),
    csvText(m.imageUrl),
    similarity(m.distance),
    m.distance.toFixed(4),
    m.box.x,
    m.box.y,
    m.box.width,
    m.box.height,
    m.source,
    csvText(m.author ?? ''),
    m.createdAt ? csvText(m.createdAt) : postedDay(m),
    csvText(m.text ?? ''),
  ]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
