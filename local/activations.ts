/**
 * Activation records as OpenWhisk keeps them, in a bounded in-memory store (oldest dropped first), and the two
 * JSON views its API serves: the full record (`toExtendedJson`: `response` with `status` and `success`, no `end`
 * or `duration` on a trigger's record) and the summary of an activation list without `docs`. Every finished
 * activation is also emitted, for `findme start --verbose`, the tests and the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';

export const STATUS = ['success', 'application error', 'action developer error', 'whisk internal error'] as const;
export type StatusCode = 0 | 1 | 2 | 3;

export interface ActivationResponse {
  status: (typeof STATUS)[number];
  statusCode: StatusCode;
  success: boolean;
  result: unknown;
}

export interface Annotation {
  key: string;
  value: unknown;
}

export interface ActivationRecord {
  namespace: string;
  /** The action's or trigger's own name, without its package. */
  name: string;
  version: string;
  subject: string;
  activationId: string;
  start: number;
  /** 0 for a trigger's activation, which OpenWhisk records without an end. */
  end: number;
  duration: number;
  statusCode: StatusCode;
  response: ActivationResponse;
  logs: string[];
  annotations: Annotation[];
  publish: boolean;
}

export function newActivationId(): string {
  return randomBytes(16).toString('hex');
}

export function activationResponse(statusCode: StatusCode, result: unknown): ActivationResponse {
  return { status: STATUS[statusCode], statusCode, success: statusCode === 0, result };
}

export function annotation(record: ActivationRecord, key: string): unknown {
  return record.annotations.find((a) => a.key === key)?.value;
}

/** `namespace/package/action` of an action's record, `namespace/trigger` of a trigger's. */
export function entityPath(record: ActivationRecord): string {
  const path = annotation(record, 'path');
  return typeof path === 'string' ? path : `${record.namespace}/${record.name}`;
}

/** The record as `GET /activations/{id}` and a blocking invoke return it. */
export function activationJson(record: ActivationRecord): Record<string, unknown> {
  const { statusCode: _, end, duration, ...rest } = record;
  return record.end === 0 ? rest : { ...rest, end, duration };
}

/** One entry of `GET /activations` without `docs=true`: no result, no logs. */
export function activationSummary(record: ActivationRecord): Record<string, unknown> {
  const { namespace, name, version, publish, annotations, activationId, start } = record;
  const summary: Record<string, unknown> = { namespace, name, version, publish, annotations, activationId, start };
  if (record.end !== 0) Object.assign(summary, { end: record.end, duration: record.duration, statusCode: record.statusCode });
  return summary;
}

export interface ListOptions {
  /** `name` or `package/name`, as the `name` query parameter. */
  name?: string;
  limit: number;
  skip: number;
  since?: number;
  upto?: number;
}

/**
 * What the records may hold together, roughly (results and log lines): each may carry 1 MB of result and 10 MB of
 * logs, so a count alone would let a long `findme start` with chatty actions grow without a practical bound.
 */
export const ACTIVATION_STORE_BYTES = 256 * 1024 * 1024;

/** A record's weight: its result and its log lines, the parts that can be large. */
function sizeOf(record: ActivationRecord): number {
  let bytes = Buffer.byteLength(JSON.stringify(record.response.result) ?? '');
  for (const line of record.logs) bytes += Buffer.byteLength(line);
  return bytes;
}

export class ActivationStore extends EventEmitter<{ activation: [ActivationRecord] }> {
  private readonly records = new Map<string, { record: ActivationRecord; bytes: number }>();
  private bytes = 0;

  /** Keeps at most `capacity` records and about `maxBytes` of them, dropping the oldest first (never the newest). */
  constructor(
    private readonly capacity = 10_000,
    private readonly maxBytes = ACTIVATION_STORE_BYTES,
  ) {
    super();
  }

  add(record: ActivationRecord): void {
    this.remove(record.activationId);
    const entry = { record, bytes: sizeOf(record) };
    this.records.set(record.activationId, entry);
    this.bytes += entry.bytes;
    while (this.records.size > 1 && (this.records.size > this.capacity || this.bytes > this.maxBytes)) this.remove(this.records.keys().next().value!);
    this.emit('activation', record);
  }

  private remove(id: string): void {
    const entry = this.records.get(id);
    if (!entry) return;
    this.records.delete(id);
    this.bytes -= entry.bytes;
  }

  get(id: string): ActivationRecord | undefined {
    return this.records.get(id)?.record;
  }

  /** Newest first by start, as OpenWhisk lists them. */
  list(options: ListOptions): ActivationRecord[] {
    const matching = this.all()
      .filter((r) => {
        if (options.name !== undefined && entityPath(r) !== `${r.namespace}/${options.name}`) return false;
        if (options.since !== undefined && r.start < options.since) return false;
        if (options.upto !== undefined && r.start > options.upto) return false;
        return true;
      })
      .sort((a, b) => b.start - a.start);
    return matching.slice(options.skip, options.skip + options.limit);
  }

  count(options: Omit<ListOptions, 'limit' | 'skip'> & { skip: number }): number {
    return this.list({ ...options, limit: Number.MAX_SAFE_INTEGER }).length;
  }

  /** Every record kept, oldest first. */
  all(): ActivationRecord[] {
    return [...this.records.values()].map((e) => e.record);
  }
}
