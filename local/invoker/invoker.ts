/**
 * Runs activations as OpenWhisk's ContainerProxy does: take a warm container or start a cold one, /init it with
 * the first activation's __OW_* values, /run with the per-activation fields, read the answer (responses.ts),
 * collect the logs, keep the container only after a success or an application error, and record the activation
 * with OpenWhisk's annotations (limits, path, kind, timeout, initTime on a cold start, waitTime).
 */
import { randomBytes } from 'node:crypto';
import type { ActivationRecord, ActivationStore } from '../activations';
import { activationResponse } from '../activations';
import type { ActionSpec } from '../manifest/types';
import { packageOf } from '../manifest/types';
import type { RunMessage } from '../runtime/protocol';
import { actionCode, MissingBundleError, type ActionCode } from './code';
import type { Container } from './container';
import { formatLogLine, logTimestamp } from './logs';
import type { ContainerPool } from './pool';
import { initOutcome, keepsContainer, MESSAGES, runOutcome, type Outcome } from './responses';

export interface InvokerOptions {
  pool: ContainerPool;
  store: ActivationStore;
  projectRoot: string;
  namespace: string;
  /** Where actions reach the controller (`__OW_API_HOST`); known once the controller listens. */
  endpoint: { readonly apiHost: string };
  apiKey: string;
}

export interface InvokeRequest {
  action: ActionSpec;
  /** Parameters already merged (package < action < request). */
  params: Record<string, unknown>;
  activationId: string;
  /** When the controller accepted the request: the start of `waitTime`. */
  requestedAt: number;
}

/** Parameters.isTruthy: a missing annotation counts as `fallback`. */
function isTruthy(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  return value !== null;
}

interface Timing {
  requestedAt: number;
  start: number;
  initTime?: number;
  runStart?: number;
}

export class Invoker {
  /** Activations begun and not yet recorded, by action name. */
  private readonly unrecorded = new Map<string, number>();

  constructor(private readonly options: InvokerOptions) {}

  /**
   * Activations of `actionName` begun and not yet in the store. An action's writes land before its record (the
   * logs are collected after /run answers), so whoever reads records after seeing those writes waits for this 0.
   */
  running(actionName: string): number {
    return this.unrecorded.get(actionName) ?? 0;
  }

  /** Never rejects: whatever goes wrong ends as a recorded activation. */
  async invoke(request: InvokeRequest): Promise<ActivationRecord> {
    const timing: Timing = { requestedAt: request.requestedAt, start: Date.now() };
    const name = request.action.name;
    this.unrecorded.set(name, this.running(name) + 1);
    try {
      return await this.attempt(request, timing);
    } catch (error) {
      const detail = formatLogLine(logTimestamp(), 'stderr', error instanceof Error ? (error.stack ?? error.message) : String(error));
      return this.record(request, timing, { statusCode: 3, result: { error: MESSAGES.abnormalRun }, timedOut: false }, [detail], undefined);
    } finally {
      this.unrecorded.set(name, this.running(name) - 1);
    }
  }

  private async attempt(request: InvokeRequest, timing: Timing): Promise<ActivationRecord> {
    let code: ActionCode;
    try {
      code = await actionCode(request.action, this.options.projectRoot);
    } catch (error) {
      const reason = error instanceof MissingBundleError ? error.message : `the action's code cannot be read: ${String(error)}`;
      return this.record(request, timing, { statusCode: 2, result: { error: `Initialization has failed due to: ${reason}` }, timedOut: false }, [], undefined);
    }
    let container: Container;
    try {
      container = (await this.options.pool.acquire(request.action)).container;
    } catch (error) {
      const detail = formatLogLine(logTimestamp(), 'stderr', error instanceof Error ? error.message : String(error));
      return this.record(request, timing, { statusCode: 3, result: { error: 'Failed to provision resources to run the action.' }, timedOut: false }, [detail], undefined);
    }
    let outcome: Outcome | undefined;
    try {
      outcome = await this.initAndRun(container, request, code, timing);
      const logs = await this.logsOf(container, outcome);
      return this.record(request, timing, outcome, logs, container.peakRssBytes());
    } finally {
      // A developer error, a timeout or a crash: OpenWhisk destroys the container rather than reuse it.
      if (outcome && keepsContainer(outcome) && !container.isDead()) this.options.pool.release(container);
      else await this.options.pool.discard(container);
    }
  }

  private async initAndRun(container: Container, request: InvokeRequest, code: ActionCode, timing: Timing): Promise<Outcome> {
    const { action } = request;
    const fields = this.fields(request);
    if (!container.initialized) {
      timing.start = Date.now();
      const env = Object.fromEntries(Object.entries({ ...fields, deadline: String(Date.now() + action.limits.timeout) }).map(([k, v]) => [`__OW_${k.toUpperCase()}`, v]));
      const init = await container.post('/init', { value: { name: action.name, main: code.main, code: code.code, binary: code.binary, env } }, action.limits.timeout);
      timing.initTime = Date.now() - timing.start;
      if ('status' in init && init.status === 200) this.options.pool.markInitialized(container);
      else return initOutcome(init, action.limits.timeout);
    }
    timing.runStart = Date.now();
    if (timing.initTime === undefined) timing.start = timing.runStart;
    const message: RunMessage = { value: request.params, ...fields, deadline: String(timing.runStart + action.limits.timeout), api_host: this.options.endpoint.apiHost };
    return runOutcome(await container.post('/run', message, action.limits.timeout), action.limits.timeout);
  }

  /** The per-activation fields of /run; the API key only unless the action declines it (`provide-api-key`). */
  private fields(request: InvokeRequest): Omit<RunMessage, 'value' | 'deadline' | 'api_host'> {
    const { action } = request;
    return {
      ...(isTruthy(action.annotations['provide-api-key'], true) ? { api_key: this.options.apiKey } : {}),
      namespace: this.options.namespace,
      action_name: `/${this.options.namespace}/${action.name}`,
      action_version: '0.0.1',
      activation_id: request.activationId,
      transaction_id: randomBytes(16).toString('hex'),
    };
  }

  private async logsOf(container: Container, outcome: Outcome): Promise<string[]> {
    if (keepsContainer(outcome)) return container.logs.collect();
    // After a developer error the markers may never come: take what is there and say so, as OpenWhisk does.
    let lines: string[] = [];
    if (container.isDead()) await container.logs.drainPending();
    else lines = await container.logs.collect(300);
    // The container is thrown away: whatever it wrote after its last marker belongs to this activation too.
    return [...lines, ...container.logs.takeAll(), formatLogLine(logTimestamp(), 'stderr', MESSAGES.logWarningDeveloperError)];
  }

  private record(request: InvokeRequest, timing: Timing, outcome: Outcome, logs: string[], peakMemory: number | undefined): ActivationRecord {
    const { action } = request;
    const end = Date.now();
    const pkg = packageOf(action.name);
    const waitEnd = timing.initTime !== undefined ? timing.start : (timing.runStart ?? timing.start);
    const record: ActivationRecord = {
      namespace: this.options.namespace,
      name: pkg ? action.name.slice(pkg.length + 1) : action.name,
      version: '0.0.1',
      subject: this.options.namespace,
      activationId: request.activationId,
      start: timing.start,
      end,
      duration: end - timing.start,
      statusCode: outcome.statusCode,
      response: activationResponse(outcome.statusCode, outcome.result),
      logs,
      annotations: [
        { key: 'limits', value: { concurrency: action.limits.concurrency, logs: 10, memory: action.limits.memory, timeout: action.limits.timeout } },
        { key: 'path', value: `${this.options.namespace}/${action.name}` },
        { key: 'kind', value: action.kind },
        { key: 'timeout', value: outcome.timedOut },
        ...(timing.initTime !== undefined ? [{ key: 'initTime', value: timing.initTime }] : []),
        { key: 'waitTime', value: Math.max(0, waitEnd - timing.requestedAt) },
        ...(peakMemory !== undefined ? [{ key: 'peakMemory', value: peakMemory }] : []),
      ],
      publish: false,
    };
    this.options.store.add(record);
    return record;
  }
}
