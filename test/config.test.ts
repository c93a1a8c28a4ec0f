import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ACTION_SECRETS, authConfig, deliveryConfig, sourcesConfig, faceConfig, jobConfig, owConfig, redactUrl, redisConfig, referenceConfig, VARIABLES, xConfig, DEFAULTS } from '../actions/lib/config';
import { ConfigError } from '../actions/lib/errors';

test('unset or empty means the embedded default', () => {
  const redis = redisConfig({ REDIS_URL: '' });
  assert.equal(redis.redisUrl, process.env.REDIS_URL || DEFAULTS.redisUrl);
  assert.equal(redis.jobTtlS, 24 * 3600);
  assert.equal(redis.descriptorTtlS, 7 * 24 * 3600);
  assert.equal(redisConfig({ FINDME_KEY_PREFIX: '' }).keyPrefix, process.env.FINDME_KEY_PREFIX || 'findme:');
  assert.equal(redisConfig({ FINDME_KEY_PREFIX: 'staging:findme:' }).keyPrefix, 'staging:findme:');
  const x = xConfig({});
  assert.equal(x.xApiBaseUrl, 'https://api.x.com/2/');
  assert.equal(x.maxTweets, 1000);
  assert.equal(x.xBearerToken, process.env.X_BEARER_TOKEN);
  assert.equal(jobConfig({}).jobStallS, 300);
  assert.equal(faceConfig({ FINDME_DETECT_FINE: 'cascade' }).detectFine, 'cascade');
  assert.deepEqual(faceConfig({ FINDME_IMAGE_HOSTS: '' }).imageHosts, process.env.FINDME_IMAGE_HOSTS ? faceConfig({}).imageHosts : ['pbs.twimg.com', 'abs.twimg.com']);
});

test('parameters win over the environment', () => {
  process.env.FINDME_MAX_TWEETS = '50';
  try {
    assert.equal(xConfig({}).maxTweets, 50);
    assert.equal(xConfig({ FINDME_MAX_TWEETS: '70' }).maxTweets, 70);
    assert.equal(xConfig({ FINDME_MAX_TWEETS: 80 }).maxTweets, 80);
  } finally {
    delete process.env.FINDME_MAX_TWEETS;
  }
});

test('a malformed value is an error naming the variable and what it should be', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => redisConfig({ REDIS_URL: 'localhost:6379' }), /^REDIS_URL must be a URL \(redis: or rediss: or unix:\), got "localhost:\/\/…"$/],
    [() => redisConfig({ REDIS_URL: 'redis://:pw@ho st' }), /^REDIS_URL must be a URL \(redis: or rediss: or unix:\)$/],
    [() => xConfig({ X_API_BASE_URL: 'api.x.com/2' }), /^X_API_BASE_URL must be a URL \(https: or http:\), got "api.x.com\/2"$/],
    [() => redisConfig({ REDIS_URL: 'http://x' }), /^REDIS_URL must be a URL/],
    [() => redisConfig({ FINDME_KEY_PREFIX: 'findme' }), /^FINDME_KEY_PREFIX must be up to 64 letters, digits or _\.:-, ending in ':', got "findme"$/],
    [() => redisConfig({ FINDME_KEY_PREFIX: 'find*me:' }), /^FINDME_KEY_PREFIX must be/],
    [() => xConfig({ FINDME_MAX_TWEETS: 'lots' }), /^FINDME_MAX_TWEETS must be a whole number from 10 to 100000, got "lots"$/],
    [() => deliveryConfig({ FINDME_PHOTOS_PER_EVENT: '0' }), /^FINDME_PHOTOS_PER_EVENT must be a whole number from 1 to 100/],
    [() => sourcesConfig({ FINDME_SOURCES: 'x,myspace' }), /^FINDME_SOURCES must be a comma-separated list of x, mastodon, bluesky/],
    [() => sourcesConfig({ FINDME_SOURCES: ' , ' }), /^FINDME_SOURCES must be a comma-separated list/],
    [() => xConfig({ X_API_BASE_URL: 'ftp://x' }), /^X_API_BASE_URL must be a URL/],
    [() => faceConfig({ FINDME_MATCH_THRESHOLD: 'high' }), /^FINDME_MATCH_THRESHOLD must be a number from 0.1 to 1.5/],
    [() => faceConfig({ FINDME_MATCH_THRESHOLD: '0.5', FINDME_MAYBE_THRESHOLD: '0.45' }), /^FINDME_MAYBE_THRESHOLD must be a number from 0.5 to 1.5, got "0.45"$/],
    [() => referenceConfig({ FINDME_REFERENCE_TTL_S: '10' }), /^FINDME_REFERENCE_TTL_S must be a whole number from 60/],
    [() => faceConfig({ FINDME_TF_BACKEND: 'gpu' }), /^FINDME_TF_BACKEND must be one of tensorflow, wasm, cpu, got "gpu"$/],
    [() => faceConfig({ FINDME_DETECT_FINE: 'tiles' }), /^FINDME_DETECT_FINE must be one of off, ssd, cascade, windows, got "tiles"$/],
    [() => faceConfig({ FINDME_DETECT_TILES: '9' }), /^FINDME_DETECT_TILES must be a whole number from 0 to 8, got "9"$/],
    [() => faceConfig({ FINDME_IMAGE_HOSTS: 'https://pbs.twimg.com' }), /^FINDME_IMAGE_HOSTS must be a comma-separated list of host names/],
    [() => jobConfig({ FINDME_JOB_STALL_S: '1.5' }), /^FINDME_JOB_STALL_S must be a whole number/],
    [() => authConfig({ AUTH0_AUDIENCE: 'https://api' }), /^AUTH0_DOMAIN must be set/],
    [() => authConfig({ AUTH0_DOMAIN: 'example.auth0.com' }), /^AUTH0_AUDIENCE must be set/],
    [() => redisConfig({ REDIS_URL: { url: 'x' } }), /^REDIS_URL must be a string/],
  ];
  for (const [read, message] of cases) assert.throws(read, (e: unknown) => e instanceof ConfigError && message.test(e.message), message.source);
});

test('the maybe band starts at the sure threshold: a sure threshold above the default maybe one moves it up', () => {
  const defaults = faceConfig({});
  assert.ok(defaults.maybeThreshold >= defaults.matchThreshold);
  assert.deepEqual([faceConfig({ FINDME_MATCH_THRESHOLD: '0.9' }).maybeThreshold, faceConfig({ FINDME_MAYBE_THRESHOLD: '0.7' }).maybeThreshold], [0.9, 0.7]);
  assert.equal(referenceConfig({}).referenceTtlS, 90 * 24 * 3600);
});

test('a password in a malformed Redis URL is not repeated in the error', () => {
  assert.throws(() => redisConfig({ REDIS_URL: 'http://user:s3cret@host' }), (e: Error) => !e.message.includes('s3cret'));
});

test('redactUrl hides the whole password, even one containing @ or /, and reveals nothing of a value that is not a URL', () => {
  assert.equal(redactUrl('redis://user:p@ss@host:6380/0'), 'redis://user:***@host:6380/0');
  assert.equal(redactUrl('rediss://:a@b@c@redis.example:6380'), 'rediss://:***@redis.example:6380');
  assert.equal(redactUrl('redis://host:6379?password=s3cret&db=1'), 'redis://host:6379?password=***&db=1');
  assert.equal(redactUrl('redis://host:6379'), 'redis://host:6379', 'nothing to hide');
  for (const text of ['://user:p@ss@host', 'redis://user:p@ss@ho st', 'rediss://:a/b@host', 'p@ss']) assert.equal(redactUrl(text), '(not a URL; not shown)', text);
});

test('a secret variable of the wrong type or form is never repeated in the error', () => {
  const cases: Array<[() => unknown, string]> = [
    [() => redisConfig({ REDIS_URL: { url: 'redis://:s3cret@host' } }), 's3cret'],
    [() => xConfig({ X_BEARER_TOKEN: { token: 's3cret' } }), 's3cret'],
    [() => redisConfig({ REDIS_URL: 'http://user:p@xyz/w0rd@host' }), 'xyz'],
    [() => redisConfig({ REDIS_URL: 'http://user:p@xyz/w0rd@host' }), 'w0rd'],
    [() => redisConfig({ REDIS_URL: 'redis://user:p@xyz@ho st' }), 'xyz'],
  ];
  for (const [read, secret] of cases) {
    assert.throws(read, (e: unknown) => e instanceof ConfigError && !e.message.includes(secret) && /^(REDIS_URL|X_BEARER_TOKEN) must be/.test(e.message), secret);
  }
});

test('AUTH0_DOMAIN: a tenant domain or a full URL, issuer always with a trailing slash', () => {
  const tenant = authConfig({ AUTH0_DOMAIN: 'findme.eu.auth0.com', AUTH0_AUDIENCE: 'https://findme/api' });
  assert.equal(tenant.issuer, 'https://findme.eu.auth0.com/');
  assert.equal(tenant.jwksUrl, 'https://findme.eu.auth0.com/.well-known/jwks.json');
  assert.equal(tenant.userinfoUrl, 'https://findme.eu.auth0.com/userinfo');
  const local = authConfig({ AUTH0_DOMAIN: 'http://127.0.0.1:4000', AUTH0_AUDIENCE: 'a' });
  assert.equal(local.issuer, 'http://127.0.0.1:4000/');
});

test('every variable is a package parameter in serverless.yml, but each secret a parameter of exactly the actions that use it', () => {
  const manifest = parse(readFileSync(join(import.meta.dirname, '..', 'serverless.yml'), 'utf8')) as {
    resources: { packages: { findme: { parameters: Record<string, unknown> } } };
    functions: Record<string, { parameters?: Record<string, unknown> }>;
  };
  const declared = Object.keys(manifest.resources.packages.findme.parameters);
  const secrets = Object.keys(ACTION_SECRETS);
  assert.deepEqual(VARIABLES.filter((v) => !declared.includes(v) && !secrets.includes(v)), [], 'web actions are final: callers cannot override a package parameter');
  assert.deepEqual(declared.filter((v) => secrets.includes(v)), [], 'no secret is a package parameter');
  for (const [action, fn] of Object.entries(manifest.functions)) {
    const expected = secrets.filter((name) => ACTION_SECRETS[name as keyof typeof ACTION_SECRETS]!.includes(action)).sort();
    assert.deepEqual(Object.keys(fn.parameters ?? {}).sort(), expected, action);
  }
});

test('__OW_IGNORE_CERTS is true or false (any case), false when unset; anything else names the variable', () => {
  assert.deepEqual([owConfig({}), owConfig({ __OW_IGNORE_CERTS: 'TRUE' }), owConfig({ __OW_IGNORE_CERTS: false })], [{ ignoreCerts: false }, { ignoreCerts: true }, { ignoreCerts: false }]);
  assert.throws(() => owConfig({ __OW_IGNORE_CERTS: 'yes' }), (error: unknown) => error instanceof ConfigError && /__OW_IGNORE_CERTS/.test(error.message) && /true or false/.test(error.message));
});
