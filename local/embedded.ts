/**
 * A whole findme in this process tree for one command (`findme search --profile`, the search benchmark): the
 * local identity provider with one user whose profile picture is the given image, the X stand-in with the demo
 * hashtag (or X itself when X_BEARER_TOKEN is set), Redis and the platform. Returns an access token for that user.
 */
import { readFile } from 'node:fs/promises';
import { xConfig } from '../actions/lib/config';
import { build } from '../build/build';
import { demoTweets } from './standins/demo';
import { startFakeX, type FakeX, type FakeXOptions } from './standins/x-api';
import { startIdentityProvider } from './standins/identity';
import { startStack, type Stack, type StackOptions } from './stack';

export interface EmbeddedOptions {
  projectRoot: string;
  profileImage: string;
  env?: NodeJS.ProcessEnv;
  /** Posts for the X stand-in; default: the demo hashtag. */
  tweets?: FakeXOptions['tweets'];
  platform?: StackOptions['platform'];
}

export interface Embedded {
  stack: Stack;
  x: FakeX | undefined;
  token: string;
  close(): Promise<void>;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const env = options.env ?? process.env;
  const picture = await readFile(options.profileImage).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read the profile picture ${options.profileImage}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  await build();
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const sub = 'local|cli';
    const identity = await startIdentityProvider({ pageOrigins: [], users: [{ sub, username: 'cli', password: '', name: 'findme CLI', pictureBytes: picture }] });
    closers.push(() => identity.close());
    const x = env.X_BEARER_TOKEN ? undefined : await startFakeX({ tweets: options.tweets ?? demoTweets() });
    if (x) closers.push(() => x.close());
    const stack = await startStack({
      projectRoot: options.projectRoot,
      env,
      ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
      identity: { domain: identity.domain, audience: identity.audience, clientId: identity.clientId, host: identity.host },
      x: x ? { baseUrl: x.baseUrl, bearerToken: x.bearerToken, host: x.host } : { baseUrl: xConfig(env).xApiBaseUrl, bearerToken: env.X_BEARER_TOKEN! },
      ...(options.platform ? { platform: options.platform } : {}),
    });
    closers.push(() => stack.close());
    return { stack, x, token: await identity.issueAccessToken({ sub }), close };
  } catch (error) {
    await close();
    throw error;
  }
}
