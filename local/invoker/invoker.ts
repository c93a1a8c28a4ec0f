/**
 * Runs activations: takes a container from the pool, initialises it when cold, runs the action with OpenWhisk's
 * /run payload, classifies the outcome as OpenWhisk does (success, application error, action developer error,
 * whisk internal error) and records it.
 */
import type { ActivationRecord, ActivationStore, StatusCode } from '../activations';
import { activationResponse, newActivationId } from '../activations';
import type { ActionSpec } from '../manifest/types';
import { actionCode } from './code';
import { ContainerGoneError, ContainerTimeoutError, type Container, type HttpReply } from './container';
import type { ContainerPool } from './pool';

export const MESSAGES = {
  abnormalInitialization: 'The action did not initialize and exited unexpectedly.',
  abnormalRun: 'The action did not produce a valid response and exited unexpectedly.',
  timedOut: (ms: number, init: boolean) => `The action exceeded its time limits of ${ms} milliseconds${init ? ' during initialization.' : '.'}`,
  invalidRunResponse: (text: string) => `The action did not produce a valid JSON or JSON Array response${text ? `: ${text}` : '.'}`,
  truncated: (length: number, max: number) => `The action produced a response that exceeded the allowed length: ${length} > ${max} bytes.`,
};

const MAX_RESULT_BYTES = 1024 * 1024;

export interface InvokerOptions {
  pool: ContainerPool;
  store: ActivationStore;
  projectRoot: string;
  namespace: string;
  /** Where actions reach the controller (`__OW_API_HOST`). */
  endpoint: { readonly apiHost: string };
  apiKey: string;
}

export interface InvokeRequest {
  action: ActionSpec;
  /** Parameters already merged (package < action < request). */
  params: Record<string, unknown>;
  activationId?: string;
  cause?: string;
}

interface Outcome {
  statusCode: StatusCode;
  result: unknown;
  containerBroken: boolean;
  timedOut?: boolean;
}

function classify(reply: HttpReply): Outcome {
  const body = reply.body;
  const text = body === undefined ? '' : JSON.stringify(body);
  if (text.length > MAX_RESULT_BYTES) return { statusCode: 1, result: { error: MESSAGES.truncated(text.length, MAX_RESULT_BYTES) }, containerBroken: false };
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  const error = isObject ? (body as Record<string, unknown>).error : undefined;
  if (reply.status === 200) {
    if (isObject) return error !== undefined ? { statusCode: 1, result: { error }, containerBroken: false } : { statusCode: 0, result: body, containerBroken: false };
    if (Array.isArray(body)) return { statusCode: 0, result: body, containerBroken: false };
    return { statusCode: 2, result: { error: MESSAGES.invalidRunResponse(text) }, containerBroken: true };
  }
  return { statusCode: 2, result: { error: error ?? MESSAGES.invalidRunResponse(text) }, containerBroken: true };
}

export class Invoker {
  constructor(private readonly options: InvokerOptions) {}

  async invoke(request: InvokeRequest): Promise<ActivationRecord> {
    const { action } = request;
    const activationId = request.activationId ?? newActivationId();
    const queued = Date.now();
    let start = queued;
    let cold = false;
    let initTime: number | undefined;
    let logs: string[] = [];
    let outcome: Outcome | undefined;
    let peakMemory: number | undefined;
    let container: Container | undefined;
    try {
      const lease = await this.options.pool.acquire(action);
      container = lease.container;
      cold = lease.cold;
      start = Date.now();
      if (!container.initialized) {
        const initStart = Date.now();
        const init = await this.init(container, action);
        initTime = Date.now() - initStart;
        if (init) {
          outcome = init;
          logs = outcome.timedOut || container.isDead() ? container.logs.drain() : await container.logs.collect();
          return this.finish(request, activationId, queued, start, cold, initTime, outcome, logs, container.peakRssBytes());
        }
      }
      outcome = await this.run(container, action, request.params, activationId);
      logs = outcome.containerBroken && container.isDead() ? container.logs.drain() : await container.logs.collect(outcome.containerBroken ? 500 : 2000);
      peakMemory = container.peakRssBytes();
    } catch (error) {
      outcome = { statusCode: 3, result: { error: `The activation could not be started: ${error instanceof Error ? error.message : String(error)}` }, containerBroken: false };
    } finally {
      if (container) {
        // A container that timed out, crashed, or answered with a developer error is never reused.
        if (outcome?.containerBroken || container.isDead()) await this.options.pool.discard(container);
        else this.options.pool.release(container);
      }
    }
    return this.finish(request, activationId, queued, start, cold, initTime, outcome, logs, peakMemory);
  }

  /** Initialises a cold container; returns the failed outcome, or undefined when it is ready to run. */
  private async init(container: Container, action: ActionSpec): Promise<Outcome | undefined> {
    let code;
    try {
      code = await actionCode(action, this.options.projectRoot);
    } catch (error) {
      return { statusCode: 2, result: { error: `Initialization has failed due to: ${error instanceof Error ? error.message : String(error)}` }, containerBroken: true };
    }
    try {
      const reply = await container.post('/init', { value: { name: action.name, main: code.main, code: code.code, binary: code.binary, env: {} } }, action.limits.timeout);
      if (reply.status === 200) {
        container.initialized = true;
        return undefined;
      }
      const error = (reply.body as { error?: unknown } | undefined)?.error;
      return { statusCode: 2, result: { error: error ?? MESSAGES.abnormalInitialization }, containerBroken: true };
    } catch (error) {
      if (error instanceof ContainerTimeoutError) return { statusCode: 2, result: { error: MESSAGES.timedOut(action.limits.timeout, true) }, containerBroken: true, timedOut: true };
      if (error instanceof ContainerGoneError) return { statusCode: 2, result: { error: MESSAGES.abnormalInitialization }, containerBroken: true };
      throw error;
    }
  }

  private async run(container: Container, action: ActionSpec, params: Record<string, unknown>, activationId: string): Promise<Outcome> {
    const now = Date.now();
    const payload = {
      value: params,
      namespace: this.options.namespace,
      action_name: `/${this.options.namespace}/${action.name}`,
      activation_id: activationId,
      deadline: String(now + action.limits.timeout),
      api_host: this.options.endpoint.apiHost,
      api_key: this.options.apiKey,
      transaction_id: activationId,
      action_version: '0.0.1',
    };
    try {
      return classify(await container.post('/run', payload, action.limits.timeout));
    } catch (error) {
      if (error instanceof ContainerTimeoutError) return { statusCode: 2, result: { error: MESSAGES.timedOut(action.limits.timeout, false) }, containerBroken: true, timedOut: true };
      if (error instanceof ContainerGoneError) return { statusCode: 2, result: { error: MESSAGES.abnormalRun }, containerBroken: true };
      return { statusCode: 2, result: { error: MESSAGES.abnormalRun }, containerBroken: true };
    }
  }

  private finish(
    request: InvokeRequest,
    activationId: string,
    queued: number,
    start: number,
    cold: boolean,
    initTime: number | undefined,
    outcome: Outcome,
    logs: string[],
    peakMemory: number | undefined,
  ): ActivationRecord {
    const { action } = request;
    const end = Date.now();
    const slash = action.name.indexOf('/');
    const record: ActivationRecord = {
      namespace: this.options.namespace,
      name: slash === -1 ? action.name : action.name.slice(slash + 1),
      version: '0.0.1',
      subject: this.options.namespace,
      activationId,
      start,
      end,
      duration: end - start,
      statusCode: outcome.statusCode,
      response: activationResponse(outcome.statusCode, outcome.result),
      logs,
      annotations: [
        { key: 'path', value: `${this.options.namespace}/${action.name}` },
        { key: 'waitTime', value: start - queued },
        { key: 'kind', value: action.kind },
        { key: 'timeout', value: outcome.timedOut === true },
        { key: 'limits', value: { concurrency: action.limits.concurrency, logs: 10, memory: action.limits.memory, timeout: action.limits.timeout } },
        ...(cold && initTime !== undefined ? [{ key: 'initTime', value: initTime }] : []),
        ...(peakMemory !== undefined ? [{ key: 'peakMemory', value: peakMemory }] : []),
        ...(request.cause ? [{ key: 'causedBy', value: 'trigger' }] : []),
      ],
      publish: false,
      ...(request.cause ? { cause: request.cause } : {}),
    };
    this.options.store.add(record);
    return record;
  }
}
