/**
 * Text and links written into the Markdown exports. Everything in them but findme's own words comes from posts
 * anyone can write, so every character a Markdown or HTML renderer would act on is escaped, and only https links
 * are written: a hostile post must not put `[x](javascript:…)`, `<img onerror=…>` or a table break into the file.
 */

/**
 * Backslash before every ASCII punctuation mark Markdown gives a meaning to (CommonMark lets any of them be
 * escaped so), HTML's `<`, `>` and `&` as entities (a renderer that passes raw HTML then shows them as text), and
 * line breaks as spaces (a cell or a list item is one line).
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/**
 * The URL as a Markdown link target, or undefined when it is not https (then no link is written). Characters
 * that would end the target or the table cell are percent-encoded: the URL still means the same.
 */
export function markdownUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:') return undefined;
  return parsed.href.replace(/[()<>|\s"'`\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `[text](url)` for an https URL, else the text alone. */
export function markdownLink(text: string, url: string): string {
  const target = markdownUrl(url);
  return target ? `[${markdownText(text)}](${target})` : markdownText(text);
}
