/**
 * The /init and /run state machine of the OpenWhisk nodejs runtime (core/nodejsActionBase/src/service.js), with
 * its codes and messages: init once (a second init is 403, a failed one 502 and the container is stopped); run
 * only when ready (overlapping runs are 403 unless __OW_ALLOW_CONCURRENT); a result that is not an object is
 * 502; a rejected promise is 200 `{error}`; a synchronous throw is 502 and stops the container.
 */
import { InitFailure, loadAction, type Handler } from './loader';
import { MARKER, type InitValue } from './protocol';
import { serializeError } from './serialize-error';

type Status = 'ready' | 'starting' | 'running' | 'stopped';

export interface Reply {
  code: number;
  body: unknown;
}

function writeMarkers(): void {
  console.log(MARKER);
  console.error(MARKER);
}

function reply(code: number, body: unknown): Reply {
  return { code, body };
}

/** /init's `env` values become environment variables the way the runtime converts them. */
function applyEnv(env: unknown): void {
  if (!env || typeof env !== 'object') return;
  for (const [key, value] of Object.entries(env)) {
    process.env[key] = value !== null && typeof value === 'object' ? JSON.stringify(value) : value ? String(value) : '';
  }
}

/** A synchronous throw, told apart from a rejected promise (which is the action's own `{error}` result). */
class ThrownSynchronously {
  constructor(readonly error: unknown) {}
}

export class ActionService {
  private status: Status = 'ready';
  private handler: Handler | undefined;

  constructor(private readonly allowConcurrent = (process.env.__OW_ALLOW_CONCURRENT ?? '').toLowerCase() === 'true') {}

  /** Once stopped, always stopped: the invoker must throw this container away. */
  private setStatus(next: Status): void {
    if (this.status !== 'stopped') this.status = next;
  }

  async init(body: unknown): Promise<Reply> {
    if (this.handler !== undefined) return reply(403, { error: 'Cannot initialize the action more than once.' });
    if (this.status !== 'ready') return reply(403, { error: `System not ready, status is ${this.status}.` });
    this.setStatus('starting');
    const message = ((body as { value?: unknown } | null | undefined)?.value ?? {}) as Partial<InitValue>;
    if (typeof message.main !== 'string' || !message.main || typeof message.code !== 'string' || !message.code) {
      this.setStatus('ready');
      return reply(403, { error: 'Missing main/no code to execute.' });
    }
    applyEnv(message.env);
    try {
      this.handler = await loadAction(message as InitValue);
      this.setStatus('ready');
      return reply(200, { OK: true });
    } catch (error) {
      console.error('Error during initialization:', error instanceof InitFailure ? error.message : error);
      writeMarkers();
      this.setStatus('stopped');
      const text = error instanceof InitFailure ? error.message : error instanceof Error && error.stack ? error.stack : String(error);
      return reply(502, { error: `Initialization has failed due to: ${text}` });
    }
  }

  async run(body: unknown): Promise<Reply> {
    if (this.status !== 'ready' || this.handler === undefined) {
      return reply(403, { error: this.handler ? `System not ready, status is ${this.status}.` : 'System not initialized.' });
    }
    if (!this.allowConcurrent) this.setStatus('running');
    const message = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const value = message.value ?? {};
    if (typeof value !== 'object') {
      return reply(403, { error: `Internal system error: the argument must be a dictionary but has type '${typeof value}'.` });
    }
    // Per-activation fields become __OW_* variables, as the runtime does.
    for (const [key, field] of Object.entries(message)) {
      if (key !== 'value' && typeof field === 'string') process.env[`__OW_${key.toUpperCase()}`] = field;
    }
    let result: unknown;
    try {
      result = await this.invoke(value as Record<string, unknown>);
    } catch (thrown) {
      const error = thrown instanceof ThrownSynchronously ? thrown.error : thrown;
      console.error(error);
      writeMarkers();
      this.setStatus('stopped');
      return reply(502, { error: `An error has occurred: ${String(error)}` });
    }
    if (typeof result !== 'object') console.error(`Result must be of type object but has type "${typeof result}":`, result);
    writeMarkers();
    if (!this.allowConcurrent) this.setStatus('ready');
    if (typeof result !== 'object') return reply(502, { error: 'The action did not return a dictionary.' });
    return reply(200, result);
  }

  /** Resolves with the result (a rejection is the action's `{error}`); throws only when main throws synchronously. */
  private invoke(params: Record<string, unknown>): Promise<unknown> {
    let outcome: unknown;
    try {
      outcome = this.handler!(params);
    } catch (error) {
      return Promise.reject(new ThrownSynchronously(error));
    }
    return Promise.resolve(outcome).then(
      (resolved) => (resolved === undefined ? {} : resolved),
      (reason: unknown) => ({ error: reason ? serializeError(reason) : {} }),
    );
  }
}
