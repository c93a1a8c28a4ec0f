/** Configuration that is missing or malformed: names the variable, what it should be, and what came. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    readonly expected: string,
    readonly received?: string,
  ) {
    super(`${variable} must be ${expected}${received === undefined ? '' : `, got "${received}"`}`);
  }
}

/** An error meant for an HTTP caller: carries its status and a message safe to show. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The text of any thrown value, for records and logs. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
