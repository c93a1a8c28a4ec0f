/**
 * How the invoker reads a runtime's answer, as OpenWhisk's ActivationResponse does (processInitResponseContent,
 * processRunResponseContent): status codes 0 success, 1 application error, 2 action developer error, 3 whisk
 * internal error, with Messages.scala's texts. Pure functions of what the container said.
 */
import type { StatusCode } from '../activations';

export const MESSAGES = Object.freeze({
  abnormalInitialization: 'The action did not initialize and exited unexpectedly.',
  abnormalRun: 'The action did not produce a valid response and exited unexpectedly.',
  memoryExhausted: 'The action exhausted its memory and was aborted.',
  timedOut: (ms: number, init: boolean) => `The action exceeded its time limits of ${ms} milliseconds${init ? ' during initialization.' : '.'}`,
  invalidInitResponse: (text: string) => `The action failed during initialization${text ? `: ${text}` : '.'}`,
  invalidRunResponse: (text: string) => `The action did not produce a valid JSON or JSON Array response${text ? `: ${text}` : '.'}`,
  truncatedResponse: (trunk: string, length: number, max: number) =>
    `The action produced a response that exceeded the allowed length: ${length} > ${max} bytes. The truncated response was: ${trunk}`,
  logWarningDeveloperError: 'The action did not initialize or run as expected. Log data might be missing.',
});

/** OpenWhisk's activation payload limit (`whisk.activation.payload.max` and `.truncation`, 1 MB each). */
export const MAX_RESULT_BYTES = 1024 * 1024;

/** What came back from a container: its HTTP answer, or why there was none. */
export type ContainerAnswer = { status: number; text: string; bytes: number } | { failure: 'timeout' | 'gone' | 'memory' };

export interface Outcome {
  statusCode: StatusCode;
  result: unknown;
  timedOut: boolean;
}

function outcome(statusCode: StatusCode, result: unknown, timedOut = false): Outcome {
  return { statusCode, result, timedOut };
}

const developerError = (error: unknown, timedOut = false) => outcome(2, { error }, timedOut);

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Only called when /init did not answer 200. */
export function initOutcome(answer: ContainerAnswer, timeoutMs: number): Outcome {
  if ('failure' in answer) {
    if (answer.failure === 'timeout') return developerError(MESSAGES.timedOut(timeoutMs, true), true);
    return developerError(answer.failure === 'memory' ? MESSAGES.memoryExhausted : MESSAGES.abnormalInitialization);
  }
  const parsed = parse(answer.text);
  if (parsed.ok && isObject(parsed.value)) return developerError(parsed.value.error ?? MESSAGES.invalidInitResponse(answer.text));
  return developerError(MESSAGES.invalidInitResponse(answer.text));
}

export function runOutcome(answer: ContainerAnswer, timeoutMs: number): Outcome {
  if ('failure' in answer) {
    if (answer.failure === 'timeout') return developerError(MESSAGES.timedOut(timeoutMs, false), true);
    return developerError(answer.failure === 'memory' ? MESSAGES.memoryExhausted : MESSAGES.abnormalRun);
  }
  // The container keeps only the first MAX_RESULT_BYTES + 1 bytes of an answer; `bytes` is its whole length.
  if (answer.bytes > MAX_RESULT_BYTES) {
    const trunk = Buffer.from(answer.text).subarray(0, MAX_RESULT_BYTES).toString('utf8');
    return outcome(1, { error: MESSAGES.truncatedResponse(trunk, answer.bytes, MAX_RESULT_BYTES) });
  }
  const parsed = parse(answer.text);
  const ok = answer.status === 200;
  if (parsed.ok && isObject(parsed.value)) {
    const error = parsed.value.error;
    if (ok) return error !== undefined ? outcome(1, { error }) : outcome(0, parsed.value);
    // Any other status is a container failure, with the runtime's error message when it gave one.
    return developerError(error ?? MESSAGES.invalidRunResponse(answer.text));
  }
  if (parsed.ok && Array.isArray(parsed.value) && ok) return outcome(0, parsed.value);
  return developerError(MESSAGES.invalidRunResponse(answer.text));
}

/** Developer and whisk errors make OpenWhisk destroy the container; success and application errors keep it. */
export function keepsContainer(result: Outcome): boolean {
  return result.statusCode === 0 || result.statusCode === 1;
}
