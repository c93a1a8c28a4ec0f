/**
 * The /init and /run state machine of the OpenWhisk nodejs runtime (core/nodejsActionBase/src/service.js), with
 * its codes and messages: init once (a second init is 403, a failed one 502 and the container is stopped); run
 * only when ready (overlapping runs are 403 unless __OW_ALLOW_CONCURRENT); a result that is not an object is
 * 502; a rejected promise is 200 `{error}`; a synchronous throw is 502 and stops the container.
 */
import { loadAction, type Handler, type InitMessage } from './loader';

type Status = 'ready' | 'starting' | 'running' | 'stopped';

export interface Reply {
  code: number;
  body: unknown;
}

const MARKER = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

function writeMarkers(): void {
  console.log(MARKER);
  console.error(MARKER);
}

/** What a rejected promise becomes: the error's own enumerable fields plus name, message and stack. */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error ?? {};
  return { ...error, name: error.name, message: error.message, stack: error.stack };
}

export class ActionService {
  private status: Status = 'ready';
  private handler: Handler | undefined;
  private readonly allowConcurrent = (process.env.__OW_ALLOW_CONCURRENT ?? '').toLowerCase() === 'true';

  private setStatus(next: Status): void {
    if (this.status !== 'stopped') this.status = next;
  }

  get stopped(): boolean {
    return this.status === 'stopped';
  }

  async init(body: unknown): Promise<Reply> {
    if (this.handler !== undefined) return { code: 403, body: { error: 'Cannot initialize the action more than once.' } };
    if (this.status !== 'ready') return { code: 403, body: { error: `System not ready, status is ${this.status}.` } };
    this.setStatus('starting');
    const message = ((body as { value?: unknown } | undefined)?.value ?? {}) as Partial<InitMessage>;
    if (typeof message.main !== 'string' || !message.main || typeof message.code !== 'string' || !message.code) {
      this.setStatus('ready');
      return { code: 403, body: { error: 'Missing main/no code to execute.' } };
    }
    for (const [key, value] of Object.entries(message.env ?? {})) {
      process.env[key] = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    try {
      this.handler = await loadAction(message as InitMessage);
      this.setStatus('ready');
      return { code: 200, body: { OK: true } };
    } catch (error) {
      console.error('Error during initialization:', error);
      writeMarkers();
      this.setStatus('stopped');
      const text = error instanceof Error && error.stack ? error.stack : String(error);
      return { code: 502, body: { error: `Initialization has failed due to: ${text}` } };
    }
  }

  async run(body: unknown): Promise<Reply> {
    if (this.status !== 'ready' || this.handler === undefined) {
      const error = this.handler ? `System not ready, status is ${this.status}.` : 'System not initialized.';
      return { code: 403, body: { error } };
    }
    const message = (body ?? {}) as Record<string, unknown>;
    const value = message.value ?? {};
    if (typeof value !== 'object') {
      return { code: 403, body: { error: `Internal system error: the argument must be a dictionary but has type '${typeof value}'.` } };
    }
    if (!this.allowConcurrent) this.setStatus('running');
    // Per-activation fields become __OW_* variables, as the runtime does.
    for (const [key, field] of Object.entries(message)) {
      if (key !== 'value' && typeof field === 'string') process.env[`__OW_${key.toUpperCase()}`] = field;
    }
    let result: unknown;
    try {
      result = await this.invoke(value as Record<string, unknown>);
    } catch (error) {
      console.error(error);
      writeMarkers();
      this.setStatus('stopped');
      return { code: 502, body: { error: `An error has occurred: ${String(error)}` } };
    }
    if (typeof result !== 'object' || result === null) {
      console.error(`Result must be of type object but has type "${typeof result}":`, result);
    }
    writeMarkers();
    if (!this.allowConcurrent) this.setStatus('ready');
    if (typeof result !== 'object') return { code: 502, body: { error: 'The action did not return a dictionary.' } };
    return { code: 200, body: result };
  }

  /** Resolves with the result; rejects only when main throws synchronously (a developer error). */
  private invoke(params: Record<string, unknown>): Promise<unknown> {
    const outcome = this.handler!(params);
    return Promise.resolve(outcome).then(
      (resolved) => (resolved === undefined ? {} : resolved),
      (error: unknown) => ({ error: serializeError(error) }),
    );
  }
}
