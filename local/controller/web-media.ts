/**
 * Media types as OpenWhisk's controller (on Pekko HTTP) judges them for web actions: which bodies are text and
 * which are binary (and so travel base64), and which belong to the JSON family. Pekko treats registered text types
 * as text, and an unregistered type as binary unless it names a charset.
 */
export interface MediaType {
  /** `main/sub`, lower-cased. */
  type: string;
  charset: string | undefined;
  /** The header value as given. */
  raw: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~\w-]+$/;

/** Registered application/* types that Pekko reads as text. */
const TEXT_APPLICATION_TYPES = new Set([
  'application/json',
  'application/json-patch+json',
  'application/javascript',
  'application/xml',
  'application/xhtml+xml',
  'application/atom+xml',
  'application/rss+xml',
  'application/soap+xml',
  'application/x-www-form-urlencoded',
]);

export function parseMediaType(value: string): MediaType | undefined {
  const [essence, ...params] = value.split(';');
  const [main, sub, extra] = (essence ?? '').trim().toLowerCase().split('/');
  if (!main || !sub || extra !== undefined || !TOKEN.test(main) || !TOKEN.test(sub)) return undefined;
  let charset: string | undefined;
  for (const param of params) {
    const [key, v] = param.split('=').map((s) => s.trim());
    if (key?.toLowerCase() === 'charset' && v) charset = v.replace(/^"|"$/g, '');
  }
  return { type: `${main}/${sub}`, charset, raw: value.trim() };
}

export function isJsonFamily(media: MediaType): boolean {
  return media.type === 'application/json' || media.type.endsWith('+json');
}

export function isBinary(media: MediaType): boolean {
  if (media.type.startsWith('text/') || TEXT_APPLICATION_TYPES.has(media.type)) return false;
  return media.charset === undefined;
}

/** Exec.isBinaryCode: what OpenWhisk takes for base64 (a legacy rule for JSON bodies given as strings). */
export function looksBase64(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && t.length % 4 === 0 && /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)?$/.test(t);
}

/** Java's strict Base64 decoder: the basic alphabet, no whitespace, padding optional but correct when present. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*(={0,2})$/.test(text)) return undefined;
  const data = text.replace(/=+$/, '');
  if (data.length % 4 === 1 || (text.length !== data.length && text.length % 4 !== 0)) return undefined;
  return Buffer.from(data, 'base64');
}
