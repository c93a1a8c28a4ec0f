/**
 * The one hashtag rule, shared by the server (register_search), the page and the CLI so that all three refuse
 * the same input with the same words. Dependency-free on purpose: the page bundles it, so it may import nothing
 * from the server's library.
 */

export const MAX_HASHTAG_LENGTH = 100;

export type HashtagCheck = { ok: true; tag: string } | { ok: false; message: string };

/**
 * One hashtag as X writes them: letters, digits and underscores, with or without the leading `#`, at least one
 * character that is not a digit (X does not link all-digit tags), at most 100 characters. The tag comes back
 * without `#`; a refusal comes with a sentence for people.
 */
export function checkHashtag(input: unknown): HashtagCheck {
  if (typeof input !== 'string') return { ok: false, message: 'Send the hashtag to search, like {"hashtag": "jsconfeu"}.' };
  const trimmed = input.trim();
  const tag = trimmed.startsWith('#') ? trimmed.slice(1) : trimmed;
  if (tag.length === 0) return { ok: false, message: 'Type a hashtag to search, like #jsconfeu.' };
  if (tag.length > MAX_HASHTAG_LENGTH) {
    return { ok: false, message: `A hashtag has at most ${MAX_HASHTAG_LENGTH} characters; this one has ${tag.length}.` };
  }
  if (!/^[\p{L}\p{M}\p{N}_]+$/u.test(tag)) {
    return { ok: false, message: 'A hashtag is one word of letters, digits and underscores, like #jsconfeu.' };
  }
  if (/^\p{N}+$/u.test(tag)) return { ok: false, message: 'A hashtag needs a letter or an underscore, not only digits.' };
  return { ok: true, tag };
}
