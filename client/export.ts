/** The trip-report exports of the matches: Markdown and CSV (RFC 4180). */
import type { MatchRecord } from '../actions/lib/types';
import { markdownLink, markdownText, markdownUrl } from './markdown';
import { postedDay, sourceLabel } from './post';

export function similarity(distance: number): number {
  return Math.max(0, Math.min(100, Math.round((1 - distance) * 100)));
}


/** The photo inline when its URL is https; else only a note (an image from elsewhere is not written). */
function photoCell(url: string): string {
  const target = markdownUrl(url);
  return target ? `![photo](${target})` : 'photo not at an https address';
}

export function toMarkdown(hashtag: string, matches: MatchRecord[]): string {
  const lines = [
    `# Photos of me at #${markdownText(hashtag)}`,
    '',
    `${matches.length} ${matches.length === 1 ? 'photo' : 'photos'} found by findme.`,
    '',
    '| Post | Source | Author | Posted | Text | Photo | Similarity |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...matches.map(
      (m) =>
        `| ${markdownLink(m.postId, m.postUrl)} | ${sourceLabel(m.source)} | ${markdownText(m.author ?? '')} | ${postedDay(m)} | ${markdownText(m.text ?? '')} | ${photoCell(m.imageUrl)} | ${similarity(m.distance)} % |`,
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
