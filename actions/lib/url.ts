/**
 * The parsed URL (relative to `base` when given), or undefined when the text is not one (URL.parse is newer than
 * some Node 20 runtimes).
 */
export function parseUrl(text: string, base?: string | URL): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}
