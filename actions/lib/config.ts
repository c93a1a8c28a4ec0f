/**
 * The one place configuration is read and validated. Each action builds the sections it needs from its
 * parameters (OpenWhisk package/action parameters, named like the environment variables), falling back to the
 * process environment (the CLI, the Docker image's ENV), then to the embedded defaults below. An empty string
 * means unset; a malformed value is a ConfigError naming the variable.
 */
import { ConfigError } from './errors';
import { parseUrl } from './url';
import { SOURCES, type Source } from './types';

export type Params = Record<string, unknown>;

/**
 * Every variable findme reads. Each is also a package parameter in serverless.yml, which matters beyond
 * documentation: web actions are `final`, so only parameters the package defines are safe from being
 * overridden by a caller's query string or body.
 */
export const VARIABLES = [
  'REDIS_URL',
  'FINDME_KEY_PREFIX',
  'FINDME_JOB_TTL_S',
  'FINDME_DESCRIPTOR_TTL_S',
  'AUTH0_DOMAIN',
  'AUTH0_CLIENT_ID',
  'AUTH0_AUDIENCE',
  'X_BEARER_TOKEN',
  'X_API_BASE_URL',
  'FINDME_MAX_TWEETS',
  'FINDME_SOURCES',
  'FINDME_MAX_POSTS',
  'FINDME_MASTODON_INSTANCES',
  'MASTODON_ACCESS_TOKEN',
  'BLUESKY_IDENTIFIER',
  'BLUESKY_APP_PASSWORD',
  'BLUESKY_SERVICE',
  'FINDME_PHOTOS_PER_EVENT',
  'FINDME_JOB_STALL_S',
  'FINDME_REDELIVER_S',
  'FINDME_DELIVERY_ATTEMPTS',
  'FINDME_USER_RUNNING',
  'FINDME_USER_PER_MINUTE',
  'FINDME_MATCH_THRESHOLD',
  'FINDME_MAYBE_THRESHOLD',
  'FINDME_REFERENCE_TTL_S',
  'FINDME_TF_BACKEND',
  'FINDME_WEIGHTS_DIR',
  'FINDME_IMAGE_HOSTS',
  'FINDME_MAX_IMAGE_BYTES',
  'FINDME_MAX_IMAGE_PIXELS',
  'FINDME_DETECT_FINE',
  'FINDME_DETECT_TILES',
  'FINDME_DECODE_MAX_SIDE',
  'FINDME_DETECT_MAX_SIDE',
  'FINDME_DOWNLOAD_TIMEOUT_MS',
  '__OW_IGNORE_CERTS',
] as const;
export type Variable = (typeof VARIABLES)[number];

/** Variables whose value is a secret or may hold one: an error never repeats it as it came. */
export const SECRET_VARIABLES: readonly Variable[] = ['REDIS_URL', 'X_BEARER_TOKEN', 'MASTODON_ACCESS_TOKEN', 'BLUESKY_APP_PASSWORD'];

/**
 * The variables that are secrets or name an account, and the actions that may receive each: serverless.yml gives
 * them as those actions' own parameters, never the package's, so no other action (the public web actions
 * included) ever holds them.
 */
export const ACTION_SECRETS: Readonly<Partial<Record<Variable, readonly string[]>>> = {
  REDIS_URL: ['register_search', 'search_status', 'my_searches', 'references', 'review_match', 'twitter_search', 'mastodon_search', 'bluesky_search', 'compare_images', 'sweep_jobs'],
  X_BEARER_TOKEN: ['twitter_search'],
  MASTODON_ACCESS_TOKEN: ['mastodon_search'],
  BLUESKY_IDENTIFIER: ['bluesky_search'],
  BLUESKY_APP_PASSWORD: ['bluesky_search'],
};

/**
 * The fine pass for small faces: none, SSD on every tile, SSD on the tiles a cheap Tiny pass picks, or a Tiny
 * proposer over the photo and a Tiny check on a window around each candidate.
 */
export const FINE_PASSES = ['off', 'ssd', 'cascade', 'windows'] as const;
export type FinePass = (typeof FINE_PASSES)[number];

export const TF_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfBackendName = (typeof TF_BACKENDS)[number];

/** X's media and profile-picture hosts: the only image sources allowed unless configured otherwise. */
export const DEFAULT_IMAGE_HOSTS = ['pbs.twimg.com', 'abs.twimg.com'] as const;

export const DEFAULTS = Object.freeze({
  redisUrl: 'redis://127.0.0.1:6379',
  keyPrefix: 'findme:',
  xApiBaseUrl: 'https://api.x.com/2/',
  // From `findme bench accuracy`'s bands table (bench/README.md#references-and-bands). Sure: the largest
  // threshold at which no stranger matches — ≤ 0.1 % of stranger pairs, none of the demo group photos, none of the
  // demo photos' own faces as profiles against the other demo photos, with 1 or 3 references. 0.45 until
  // 2026-12-07, when one of those 95 stranger pairs (two young women of similar looks) had come to 0.4485. Maybe:
  // the smallest threshold above it at which sure + maybe keep TPR ≥ 98 % of same-person pairs with a single
  // 400 px reference (100 % on both sets at 0.5875); strangers there are shown for review, never as photos of you.
  matchThreshold: 0.4375,
  maybeThreshold: 0.5875,
  maxTweets: 1000,
  maxPosts: 1000,
  mastodonInstances: 'mastodon.social',
  blueskyService: 'https://bsky.social',
  photosPerEvent: 10,
  jobStallS: 300,
  // A batch of 10 takes 10–20 s once it runs, but may queue behind a search's other batches for minutes.
  redeliverS: 120,
  deliveryAttempts: 5,
  sweepBatches: 200,
  // One person rarely needs more; a flood from one token then cannot take the namespace's invocation budget.
  userRunning: 3,
  userPerMinute: 10,
  jobTtlS: 24 * 3600,
  descriptorTtlS: 7 * 24 * 3600,
  // A user's faces outlive any one search: a conference season, then they are gone unless used again.
  referenceTtlS: 90 * 24 * 3600,
  // reference_face downloads nothing big and runs one detection; a cold image container needs ≈ 5 s more. Well
  // inside the controller's 60 s wait for the web action that waits for it.
  referenceInvokeTimeoutMs: 40_000,
  maxImageBytes: 15 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  detectMaxSide: 640,
  // bench/README.md#stage (2026-12-07): the windows pass, its Tiny 768 proposer on tiles of the photo's shape at
  // 0.7, finds and at least half-recognises 88–94 % of 48 px faces and all 64 px ones (sure + maybe, on the
  // held-out sample too), where the cascade found 12.5–31 % and 19–38 %, for ≈ 2.7× the single pass (over the
  // 2.5× target; the cascade 1.6–1.9×); test/compare-memory.test.ts takes a compare_images container to at most
  // ≈ 420 MB with it, inside the 512 MB an OpenWhisk action gets by default.
  detectFine: 'windows' as FinePass,
  // 0: by photo size, tiles about 1024 px (2 × 2 for a 2048 px photo, 4 across a 4032 px one).
  detectTiles: 0,
  decodeMaxSide: 4096,
  downloadTimeoutMs: 10_000,
  redisTimeoutMs: 5_000,
});

function raw(params: Params, name: Variable): string | undefined {
  const fromParams = params[name];
  if (fromParams !== undefined && fromParams !== null && fromParams !== '') {
    if (typeof fromParams === 'string') return fromParams.trim();
    if (typeof fromParams === 'number' || typeof fromParams === 'boolean') return String(fromParams);
    if (Array.isArray(fromParams)) return fromParams.map(String).join(',');
    throw new ConfigError(name, 'a string', SECRET_VARIABLES.includes(name) ? undefined : JSON.stringify(fromParams));
  }
  const fromEnv = process.env[name];
  return fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv.trim();
}

function number(params: Params, name: Variable, fallback: number, min: number, max: number, integer = true): number {
  const text = raw(params, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const kind = integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new ConfigError(name, `${kind} from ${min} to ${max}`, text);
  }
  return value;
}

function url(params: Params, name: Variable, fallback: string | undefined, protocols: string[]): string | undefined {
  const text = raw(params, name);
  if (text === undefined) return fallback;
  const protocol = parseUrl(text)?.protocol;
  if (!protocol || !protocols.includes(protocol)) {
    // Of a secret, only the scheme: in a malformed URL a password's '/' or '@' ends up in the host or path.
    const shown = !SECRET_VARIABLES.includes(name) ? text : protocol ? `${protocol}//…` : undefined;
    throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, shown);
  }
  return text;
}

/**
 * A URL without its password (or password-like query parameters, which ioredis also reads), safe for error
 * messages and logs. Parsed rather than pattern-matched: a password may itself contain '@' or '/'. A value that
 * does not parse reveals nothing.
 */
export function redactUrl(text: string): string {
  const url = parseUrl(text);
  if (!url) return '(not a URL; not shown)';
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|token|auth/i.test(key)) url.searchParams.set(key, '***');
  }
  return url.href;
}

/**
 * Letters, digits and `_.:-`, ending in ':' as Redis key namespaces do: a prefix with '*' or spaces would make
 * the sweeper's and the tests' key patterns match other deployments' keys.
 */
function keyPrefix(params: Params): string {
  const text = raw(params, 'FINDME_KEY_PREFIX');
  if (text === undefined) return DEFAULTS.keyPrefix;
  if (!/^[A-Za-z0-9_.:-]{1,63}:$/.test(text)) throw new ConfigError('FINDME_KEY_PREFIX', "up to 64 letters, digits or _.:-, ending in ':'", text);
  return text;
}

export interface RedisConfig {
  redisUrl: string;
  /** Starts every key findme writes: deployments (and test files) sharing one Redis keep apart by it. */
  keyPrefix: string;
  redisTimeoutMs: number;
  jobTtlS: number;
  descriptorTtlS: number;
}

export function redisConfig(params: Params): RedisConfig {
  return {
    redisUrl: url(params, 'REDIS_URL', DEFAULTS.redisUrl, ['redis:', 'rediss:', 'unix:'])!,
    keyPrefix: keyPrefix(params),
    redisTimeoutMs: DEFAULTS.redisTimeoutMs,
    jobTtlS: number(params, 'FINDME_JOB_TTL_S', DEFAULTS.jobTtlS, 60, 30 * 24 * 3600),
    descriptorTtlS: number(params, 'FINDME_DESCRIPTOR_TTL_S', DEFAULTS.descriptorTtlS, 60, 365 * 24 * 3600),
  };
}

export interface ReferenceConfig {
  referenceTtlS: number;
  /** How long the references web action waits for reference_face's blocking answer. */
  invokeTimeoutMs: number;
}

export function referenceConfig(params: Params): ReferenceConfig {
  return {
    referenceTtlS: number(params, 'FINDME_REFERENCE_TTL_S', DEFAULTS.referenceTtlS, 60, 5 * 365 * 24 * 3600),
    invokeTimeoutMs: DEFAULTS.referenceInvokeTimeoutMs,
  };
}

export interface AuthConfig {
  /** The issuer exactly as it appears in tokens, with its trailing slash. */
  issuer: string;
  audience: string;
  clientId: string | undefined;
  jwksUrl: string;
  userinfoUrl: string;
}

/**
 * AUTH0_DOMAIN is either a tenant domain (`example.eu.auth0.com`, issuer `https://example.eu.auth0.com/`) or, for
 * the local identity provider, a full `http(s)://` URL.
 */
export function authConfig(params: Params): AuthConfig {
  const domain = raw(params, 'AUTH0_DOMAIN');
  if (domain === undefined) throw new ConfigError('AUTH0_DOMAIN', 'set to your Auth0 domain (e.g. example.eu.auth0.com)');
  const base = parseUrl(/^https?:\/\//.test(domain) ? domain : `https://${domain}`);
  if (!base || base.search || base.hash) throw new ConfigError('AUTH0_DOMAIN', 'a domain name or an http(s) URL', domain);
  const issuer = base.href.endsWith('/') ? base.href : `${base.href}/`;
  const audience = raw(params, 'AUTH0_AUDIENCE');
  if (audience === undefined) throw new ConfigError('AUTH0_AUDIENCE', 'set to the identifier of your Auth0 API');
  return {
    issuer,
    audience,
    clientId: raw(params, 'AUTH0_CLIENT_ID'),
    jwksUrl: new URL('.well-known/jwks.json', issuer).href,
    userinfoUrl: new URL('userinfo', issuer).href,
  };
}

export interface XConfig {
  /** Unset means the app cannot search X: twitter_search fails the job with a readable reason. */
  xBearerToken: string | undefined;
  xApiBaseUrl: string;
  maxTweets: number;
}

export function xConfig(params: Params): XConfig {
  const base = url(params, 'X_API_BASE_URL', DEFAULTS.xApiBaseUrl, ['https:', 'http:'])!;
  return {
    xBearerToken: raw(params, 'X_BEARER_TOKEN'),
    xApiBaseUrl: base.endsWith('/') ? base : `${base}/`,
    maxTweets: number(params, 'FINDME_MAX_TWEETS', DEFAULTS.maxTweets, 10, 100_000),
  };
}

/**
 * FINDME_SOURCES: the sources this deployment has set up, comma-separated (x, mastodon, bluesky); a search asks
 * for all of them unless it names some. Not read from the secrets (register_search never receives them): the
 * deployer lists what they configured. Default `x`, what findme searched before there were others.
 */
export function sourcesConfig(params: Params): Source[] {
  const text = raw(params, 'FINDME_SOURCES');
  if (text === undefined) return ['x'];
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(SOURCES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new ConfigError('FINDME_SOURCES', `a comma-separated list of ${SOURCES.join(', ')}`, text);
  return SOURCES.filter((s) => names.includes(s));
}

export interface MastodonConfig {
  /** Each instance's origin (`https://mastodon.social`; plain http only to a loopback host, for stand-ins). */
  instances: string[];
  /** For instances whose public timelines are closed; sent to every listed instance. */
  accessToken: string | undefined;
  /** Posts read at most, over all instances. */
  maxPosts: number;
  /** FINDME_IMAGE_HOSTS: each instance's own media host is allowed besides. */
  imageHosts: string[];
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** An instance as a host (`mastodon.social`) or an origin; anything with a path, or plain http elsewhere, is refused. */
function instanceOrigin(entry: string): string | undefined {
  const url = parseUrl(/^[a-z]+:\/\//i.test(entry) ? entry : `https://${entry}`);
  if (!url || url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search) return undefined;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))) return url.origin;
  return undefined;
}

/** FINDME_MAX_POSTS: posts one search reads at most from each source but X (which has FINDME_MAX_TWEETS). */
export function maxPostsConfig(params: Params): number {
  return number(params, 'FINDME_MAX_POSTS', DEFAULTS.maxPosts, 1, 100_000);
}

export function mastodonConfig(params: Params): MastodonConfig {
  const text = raw(params, 'FINDME_MASTODON_INSTANCES') ?? DEFAULTS.mastodonInstances;
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  const instances = entries.map(instanceOrigin);
  if (entries.length === 0 || instances.some((i) => i === undefined) || entries.length > 10) {
    throw new ConfigError('FINDME_MASTODON_INSTANCES', 'a comma-separated list of at most 10 instance hosts (mastodon.social) or https origins', text);
  }
  return { instances: [...new Set(instances as string[])], accessToken: raw(params, 'MASTODON_ACCESS_TOKEN'), maxPosts: maxPostsConfig(params), imageHosts: imageHostsConfig(params) };
}

export interface BlueskyConfig {
  /** The deployer's handle or DID and an app password of that account; unset: Bluesky cannot be searched. */
  identifier: string | undefined;
  appPassword: string | undefined;
  /** Where the session is made and the search asked (the account's PDS entryway). */
  service: string;
  maxPosts: number;
  /** FINDME_IMAGE_HOSTS; Bluesky's CDN (cdn.bsky.app) is allowed besides. */
  imageHosts: string[];
}

export function blueskyConfig(params: Params): BlueskyConfig {
  const service = url(params, 'BLUESKY_SERVICE', DEFAULTS.blueskyService, ['https:', 'http:'])!;
  const origin = instanceOrigin(service);
  if (!origin) throw new ConfigError('BLUESKY_SERVICE', 'an https origin (plain http only to a loopback host)', service);
  return { identifier: raw(params, 'BLUESKY_IDENTIFIER'), appPassword: raw(params, 'BLUESKY_APP_PASSWORD'), service: origin, maxPosts: maxPostsConfig(params), imageHosts: imageHostsConfig(params) };
}

export interface OwConfig {
  /** Accept the controller's certificate unchecked (a self-signed one, common on self-hosted clusters). */
  ignoreCerts: boolean;
}

/**
 * __OW_IGNORE_CERTS for the actions' own OpenWhisk calls (trigger fires). The openwhisk client reads it only from
 * the environment, which OpenWhisk does not fill from parameters: inside an action it must come from here.
 */
export function owConfig(params: Params): OwConfig {
  const text = raw(params, '__OW_IGNORE_CERTS')?.toLowerCase();
  if (text !== undefined && text !== 'true' && text !== 'false') throw new ConfigError('__OW_IGNORE_CERTS', 'true or false', text);
  return { ignoreCerts: text === 'true' };
}

export interface JobConfig {
  jobStallS: number;
}

export function jobConfig(params: Params): JobConfig {
  return { jobStallS: number(params, 'FINDME_JOB_STALL_S', DEFAULTS.jobStallS, 5, 24 * 3600) };
}

export interface UserLimits {
  /** Searches of one user not yet finished. */
  userRunning: number;
  /** Searches one user may start in a minute. */
  userPerMinute: number;
}

export function userLimitsConfig(params: Params): UserLimits {
  return {
    userRunning: number(params, 'FINDME_USER_RUNNING', DEFAULTS.userRunning, 1, 1000),
    userPerMinute: number(params, 'FINDME_USER_PER_MINUTE', DEFAULTS.userPerMinute, 1, 10_000),
  };
}

export interface DeliveryConfig {
  /** A fired batch not settled this long after its fire (or after compare_images's deadline) is fired again. */
  redeliverS: number;
  /** Deliveries after the first before its job fails naming the photos lost. */
  deliveryAttempts: number;
  /** Batches one sweep looks at, at most (the rest wait for the next minute). */
  sweepBatches: number;
  /** Photos per tweet_image event, whichever source found them. */
  photosPerEvent: number;
}

export function deliveryConfig(params: Params): DeliveryConfig {
  return {
    redeliverS: number(params, 'FINDME_REDELIVER_S', DEFAULTS.redeliverS, 1, 3600),
    deliveryAttempts: number(params, 'FINDME_DELIVERY_ATTEMPTS', DEFAULTS.deliveryAttempts, 0, 20),
    sweepBatches: DEFAULTS.sweepBatches,
    photosPerEvent: number(params, 'FINDME_PHOTOS_PER_EVENT', DEFAULTS.photosPerEvent, 1, 100),
  };
}

/**
 * FINDME_IMAGE_HOSTS: where photos and profile pictures may be downloaded from. register_search checks the
 * profile picture against it too, so a picture compare_images would refuse is refused before a job exists.
 */
export function imageHostsConfig(params: Params): string[] {
  const hosts = raw(params, 'FINDME_IMAGE_HOSTS');
  const imageHosts = hosts === undefined ? [...DEFAULT_IMAGE_HOSTS] : hosts.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const host of imageHosts) {
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(host)) throw new ConfigError('FINDME_IMAGE_HOSTS', 'a comma-separated list of host names', hosts);
  }
  return imageHosts;
}

export interface FaceConfig {
  /** Sure band: a face this close to a reference is a match. */
  matchThreshold: number;
  /** Maybe band: up to this distance a face is shown for review (never below matchThreshold). */
  maybeThreshold: number;
  /** Unset: the fastest backend that loads (tensorflow, then wasm, then cpu). */
  tfBackend: TfBackendName | undefined;
  /** Where the verified model files are; the Docker image sets it, locally it is the project's weights/. */
  weightsDir: string | undefined;
  imageHosts: string[];
  maxImageBytes: number;
  maxImagePixels: number;
  detectMaxSide: number;
  detectFine: FinePass;
  /** Tiles along a photo's longer side for the fine pass (0: by photo size). */
  detectTiles: number;
  /** The longer side photos are decoded at, at most: tiles and face crops come from it. */
  decodeMaxSide: number;
  downloadTimeoutMs: number;
}

export function faceConfig(params: Params): FaceConfig {
  const backend = raw(params, 'FINDME_TF_BACKEND');
  const fine = raw(params, 'FINDME_DETECT_FINE');
  if (fine !== undefined && !(FINE_PASSES as readonly string[]).includes(fine)) {
    throw new ConfigError('FINDME_DETECT_FINE', `one of ${FINE_PASSES.join(', ')}`, fine);
  }
  if (backend !== undefined && !(TF_BACKENDS as readonly string[]).includes(backend)) {
    throw new ConfigError('FINDME_TF_BACKEND', `one of ${TF_BACKENDS.join(', ')}`, backend);
  }
  const matchThreshold = number(params, 'FINDME_MATCH_THRESHOLD', DEFAULTS.matchThreshold, 0.1, 1.5, false);
  // A sure threshold set above the default maybe one moves the maybe band up with it; a maybe threshold set
  // below the sure one is refused (its range starts at the sure threshold).
  const maybeThreshold = number(params, 'FINDME_MAYBE_THRESHOLD', Math.max(DEFAULTS.maybeThreshold, matchThreshold), matchThreshold, 1.5, false);
  return {
    matchThreshold,
    maybeThreshold,
    tfBackend: backend as TfBackendName | undefined,
    weightsDir: raw(params, 'FINDME_WEIGHTS_DIR'),
    imageHosts: imageHostsConfig(params),
    maxImageBytes: number(params, 'FINDME_MAX_IMAGE_BYTES', DEFAULTS.maxImageBytes, 1024, 100 * 1024 * 1024),
    maxImagePixels: number(params, 'FINDME_MAX_IMAGE_PIXELS', DEFAULTS.maxImagePixels, 10_000, 400_000_000),
    detectMaxSide: number(params, 'FINDME_DETECT_MAX_SIDE', DEFAULTS.detectMaxSide, 128, 4096),
    detectFine: (fine as FinePass | undefined) ?? DEFAULTS.detectFine,
    detectTiles: number(params, 'FINDME_DETECT_TILES', DEFAULTS.detectTiles, 0, 8),
    decodeMaxSide: number(params, 'FINDME_DECODE_MAX_SIDE', DEFAULTS.decodeMaxSide, 512, 8192),
    downloadTimeoutMs: number(params, 'FINDME_DOWNLOAD_TIMEOUT_MS', DEFAULTS.downloadTimeoutMs, 100, 120_000),
  };
}

/**
 * Every section at once, for `findme start`: a malformed setting is a ConfigError before anything runs, not on the
 * first search. The identity section only when AUTH0_DOMAIN is set (unset, the local identity provider runs).
 */
export function checkAllConfig(params: Params): void {
  redisConfig(params);
  referenceConfig(params);
  xConfig(params);
  sourcesConfig(params);
  mastodonConfig(params);
  blueskyConfig(params);
  jobConfig(params);
  faceConfig(params);
  if (raw(params, 'AUTH0_DOMAIN') !== undefined) authConfig(params);
}
