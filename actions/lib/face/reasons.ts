/**
 * A failed photo's reason as the page shows it to people: a limit is said in words, while the exact limit and the
 * variable that sets it (the operator's note) stay in the activation's log.
 */
import type { PhotoError } from './errors';

export function reasonForPeople(error: PhotoError): string {
  switch (error.code) {
    case 'pixel-limit':
      return 'the photo has too many pixels to check';
    case 'decode-memory':
      return 'the photo is too large to check in its format (save it as a plain JPEG or PNG to have it checked)';
    case 'too-large':
      return 'the photo is too large to download';
    case 'host-not-allowed':
    case 'redirect-not-allowed':
      return 'the photo is on a site findme does not download from';
    default:
      return error.message;
  }
}
