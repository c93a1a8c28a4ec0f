import { HttpError } from './errors';

export const MAX_HASHTAG_LENGTH = 100;

/**
 * One hashtag as X writes them: letters, digits and underscores, with or without the leading `#`, at least one
 * character that is not a digit (X does not link all-digit tags), at most 100 characters. Returns it without `#`.
 */
export function parseHashtag(input: unknown): string {
  if (typeof input !== 'string') throw new HttpError(400, 'hashtag is required: send {"hashtag": "jsconfeu"}');
  const tag = input.startsWith('#') ? input.slice(1) : input;
  if (tag.length === 0) throw new HttpError(400, 'hashtag is empty');
  if (tag.length > MAX_HASHTAG_LENGTH) throw new HttpError(400, `hashtag is longer than ${MAX_HASHTAG_LENGTH} characters`);
  if (!/^[\p{L}\p{M}\p{N}_]+$/u.test(tag)) {
    throw new HttpError(400, 'hashtag must be one hashtag of letters, digits and underscores, like #jsconfeu');
  }
  if (/^\p{N}+$/u.test(tag)) throw new HttpError(400, 'hashtag must contain a letter or an underscore, not only digits');
  return tag;
}
