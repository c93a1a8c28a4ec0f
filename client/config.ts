/**
 * config.json beside index.html (or the CLI's --api URL) that is not findme's: a host that answers with its own 404
 * page or someone else's JSON is told as such, not as a TypeError later on. Its shape is checked by
 * parsePageConfig (actions/lib/types.ts).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(problem: string) {
    super(`config.json is missing or not findme's config: ${problem}`);
  }
}
