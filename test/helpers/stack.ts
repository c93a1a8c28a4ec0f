/**
 * The whole of findme for an integration test: private Redis, the X stand-in, a test identity provider and the
 * platform running serverless.yml — plus small clients for the two web actions. Top-level await only.
 */
import { after } from 'node:test';
import { startStack, type Stack, type StackOptions } from '../../local/stack';
import type { SearchStatusResponse } from '../../actions/lib/types';
import { startFakeBluesky, type FakeBluesky, type FakeBlueskyOptions } from '../../local/standins/bluesky';
import { startFakeMastodon, type FakeMastodon, type FakeMastodonOptions } from '../../local/standins/mastodon';
import { startFakeX, type FakeX, type FakeXOptions } from '../../local/standins/x-api';
import type { ActivationRecord } from '../../local/activations';
import { eventually } from './eventually';
import { useIssuer, type TestIssuer } from './issuer';
import { PROJECT_ROOT } from './platform';

export interface TestStack {
  stack: Stack;
  x: FakeX;
  mastodon: FakeMastodon[];
  bluesky: FakeBluesky | undefined;
  issuer: TestIssuer;
  register(token: string | undefined, body: unknown): Promise<Response>;
  status(token: string | undefined, jobId: string, after?: string): Promise<Response>;
  /** Polls about once a second, as the page does, until the job is done or failed (bounded); a 429 is waited out. */
  waitForEnd(token: string, jobId: string, timeoutMs?: number): Promise<SearchStatusResponse>;
  /**
   * The records of an action's activations for a job, once none of that action's activations is still being
   * recorded: a job can be done (its last write made) a moment before the activation that made it is stored.
   */
  activations(name: string, jobId: string): Promise<ActivationRecord[]>;
}

/** Mastodon instances and Bluesky are stand-ins too when asked for (each given its posts); FINDME_SOURCES then names them. */
export async function useStack(options: { x?: FakeXOptions; mastodon?: FakeMastodonOptions[]; bluesky?: FakeBlueskyOptions; stack?: Partial<StackOptions> } = {}): Promise<TestStack> {
  const issuer = await useIssuer();
  const x = await startFakeX(options.x ?? { tweets: {} });
  after(() => x.close());
  const mastodon = await Promise.all((options.mastodon ?? []).map((o) => startFakeMastodon(o)));
  after(() => Promise.all(mastodon.map((m) => m.close())));
  const bluesky = options.bluesky ? await startFakeBluesky(options.bluesky) : undefined;
  after(() => bluesky?.close());
  const stack = await startStack({
    projectRoot: PROJECT_ROOT,
    env: { FINDME_JOB_STALL_S: '30' },
    identity: { domain: issuer.domain, audience: issuer.audience, host: issuer.host },
    x: { baseUrl: x.baseUrl, bearerToken: x.bearerToken, host: x.host },
    ...(mastodon.length > 0 ? { mastodon: { origins: mastodon.map((m) => m.origin) } } : {}),
    ...(bluesky ? { bluesky: { origin: bluesky.origin, identifier: bluesky.identifier, appPassword: bluesky.appPassword } } : {}),
    sources: ['x', ...(mastodon.length > 0 ? ['mastodon' as const] : []), ...(bluesky ? ['bluesky' as const] : [])],
    ...options.stack,
  });
  after(() => stack.close());
  const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  const status = (token: string | undefined, jobId: string, after?: string) =>
    fetch(`${stack.apiBase}/search_status?${new URLSearchParams({ jobId, ...(after ? { after } : {}) })}`, { headers: auth(token) });
  return {
    stack,
    x,
    mastodon,
    bluesky,
    issuer,
    register: (token, body) =>
      fetch(`${stack.apiBase}/register_search`, { method: 'POST', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    status,
    async activations(name, jobId) {
      const spec = stack.platform.manifest.actions.find((a) => a.name === name || a.name.endsWith(`/${name}`));
      if (!spec) throw new Error(`serverless.yml has no action ${name}`);
      await eventually(() => stack.platform.running(spec.name) === 0, 30_000, () => `${spec.name} activations still being recorded`);
      return stack.platform.store.all().filter((r) => r.name === name && (r.response.result as { jobId?: string } | undefined)?.jobId === jobId);
    },
    async waitForEnd(token, jobId, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await status(token, jobId);
        if (response.status !== 429) {
          if (!response.ok) throw new Error(`search_status answered ${response.status}: ${await response.text()}`);
          const body = (await response.json()) as SearchStatusResponse;
          if (body.status === 'done' || body.status === 'failed') return body;
          if (Date.now() > deadline) throw new Error(`job ${jobId} is still ${body.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
        } else if (Date.now() > deadline) throw new Error(`job ${jobId}: search_status still answers 429 after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
  };
}
