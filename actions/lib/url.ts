/** The parsed URL, or undefined when the text is not one (URL.parse is newer than some Node 20 runtimes). */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
