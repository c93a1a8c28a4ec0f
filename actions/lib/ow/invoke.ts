/**
 * One action invoking another and waiting for its result (blocking, result only), as the references web action
 * asks reference_face for a face: the page gets its answer within the one request. OpenWhisk answers a blocking
 * invoke that takes longer than its wait (60 s) with 202 and an activation id instead: that is a timeout here,
 * and so is anything past `timeoutMs`.
 */
import openwhisk from 'openwhisk';
import { withTimeout } from './deadline';

export class InvokeError extends Error {
  override readonly name = 'InvokeError';
  constructor(
    readonly action: string,
    message: string,
  ) {
    super(`${action}: ${message}`);
  }
}

export interface InvokeOptions {
  timeoutMs: number;
  ignoreCerts?: boolean;
  /** For tests and tools outside an activation. */
  client?: ReturnType<typeof openwhisk>;
}

/** Invokes `action` blocking with `params` and returns its result; an InvokeError says why there is none. */
export async function invokeBlocking(action: string, params: object, options: InvokeOptions): Promise<unknown> {
  const client = options.client ?? openwhisk(options.ignoreCerts ? { ignore_certs: true } : undefined);
  let result: unknown;
  try {
    result = await withTimeout(client.actions.invoke({ name: action, params, blocking: true, result: true }), options.timeoutMs, `invoking ${action}`);
  } catch (error) {
    // A result with `error` is an application error: the client rejects with it (502), its text in error.error.
    const inner = (error as { error?: { error?: unknown } }).error?.error;
    throw new InvokeError(action, typeof inner === 'string' ? inner : error instanceof Error ? error.message : String(error));
  }
  if (typeof result === 'object' && result !== null && 'activationId' in result && Object.keys(result).length === 1) {
    throw new InvokeError(action, 'did not answer within the controller\'s wait for a blocking invoke');
  }
  return result;
}
