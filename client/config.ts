/**
 * The page's run-time configuration (config.json beside index.html), checked for shape: a host that answers
 * with its own 404 page or someone else's JSON should be told as such, not as a TypeError later on.
 */
import type { PageConfig, Source } from '../actions/lib/types';

const KNOWN_SOURCES: readonly Source[] = ['x', 'mastodon', 'bluesky'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(problem: string) {
    super(`config.json is missing or not findme's config: ${problem}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** The config if it has findme's shape; else a ConfigError naming the first thing wrong. */
export function parsePageConfig(body: unknown): PageConfig {
  if (!isObject(body)) throw new ConfigError('it is not a JSON object');
  if (!nonEmptyString(body.apiBase)) throw new ConfigError('apiBase is not a string');
  const auth0 = body.auth0;
  if (!isObject(auth0)) throw new ConfigError('auth0 is not an object');
  for (const name of ['domain', 'clientId', 'audience'] as const) {
    if (!nonEmptyString(auth0[name])) throw new ConfigError(`auth0.${name} is not a string`);
  }
  if (body.demoHashtag !== undefined && typeof body.demoHashtag !== 'string') throw new ConfigError('demoHashtag is not a string');
  const sources = body.sources;
  if (sources !== undefined && (!Array.isArray(sources) || sources.some((s) => !KNOWN_SOURCES.includes(s as Source)))) throw new ConfigError(`sources is not a list of ${KNOWN_SOURCES.join(', ')}`);
  return {
    ...(Array.isArray(sources) && sources.length > 0 ? { sources: sources as Source[] } : {}),
    apiBase: body.apiBase,
    auth0: { domain: auth0.domain as string, clientId: auth0.clientId as string, audience: auth0.audience as string },
    ...(body.demoHashtag ? { demoHashtag: body.demoHashtag } : {}),
  };
}
