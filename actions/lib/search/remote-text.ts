/**
 * Text a source wrote (an API's error message) on its way into a job, where the user reads it: one line, no
 * control or bidirectional-override characters, no markup, at most `max` characters. A source is not trusted to
 * keep its errors short or plain, and the job record is shown on the page and in the exports.
 */
export function remoteText(value: unknown, max = 200): string | undefined {
  if (typeof value !== 'string') return undefined;
  const plain = value
    .replace(/<[^>]{0,200}>/g, ' ')
    // C0/C1 controls, and the bidi overrides that can make a message read as something else.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain === '') return undefined;
  return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
}
