/**
 * Why a source could not be searched, said twice: `message` in plain words for the people who read the page (it
 * becomes the source's note, which the page and the job's note show after the source's name, so it does not name
 * the source again), and `detail` for the activation log only — HTTP statuses, the service's error codes and
 * words, which setting to check. Operators read logs; users should not have to decode them.
 */
export class SourceError extends Error {
  override readonly name: string = 'SourceError';
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** An HTTP answer that is not the one asked for, in words: a status is a detail for the log. */
export function answerInWords(status: number): string {
  if (status >= 500) return 'had a server error';
  if (status === 401 || status === 403) return 'refused findme';
  if (status >= 400) return 'refused the request';
  return 'answered in a way findme does not expect';
}

/** The detail of a source error, when it has one: what the log gets besides the note. */
export function detailOf(error: unknown): string | undefined {
  return error instanceof SourceError ? error.detail : undefined;
}
