/**
 * Text and links written into the Markdown exports. Everything in them but findme's own words comes from posts
 * anyone can write, so every character a Markdown or HTML renderer would act on is escaped, and only https links
 * (or http to this machine, the local stand-ins) are written: a hostile post must not put `[x](javascript:…)`,
 * `<img onerror=…>` or a table break into the file.
 */
import { parseUrl } from '../actions/lib/url';

/**
 * Backslash before every ASCII punctuation mark Markdown gives a meaning to inside a line (CommonMark lets any of
 * them be escaped so; `#`, `+`, `-` and digits only mean something at a line's start, where findme's own words
 * always are), HTML's `<`, `>` and `&` as entities (a renderer that passes raw HTML then shows them as text), and
 * line breaks as spaces (a cell or a list item is one line).
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/** Plain http only to this machine (the local stand-ins), as FINDME_IMAGE_HOSTS allows it only for loopback. */
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * The URL as a Markdown link target, or undefined when it is not https (nor http to this machine): then no link is
 * written. Characters that would end the target or the table cell are percent-encoded: the URL still means the same.
 */
export function markdownUrl(url: string): string | undefined {
  const parsed = parseUrl(url);
  if (!parsed) return undefined;
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) return undefined;
  return parsed.href.replace(/[()<>|\s"'`\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `[text](url)` for an https URL, else the text alone. */
export function markdownLink(text: string, url: string): string {
  const target = markdownUrl(url);
  return target ? `[${markdownText(text)}](${target})` : markdownText(text);
}
