import { HttpError } from './errors';
import { checkHashtag } from './hashtag-rule';

/** The hashtag of a request, without `#`; anything else is a 400 with the rule's own words (hashtag-rule.ts). */
export function parseHashtag(input: unknown): string {
  const checked = checkHashtag(input);
  if (!checked.ok) throw new HttpError(400, checked.message);
  return checked.tag;
}
