/**
 * Activation records shaped as OpenWhisk returns them (`wsk activation get`), kept in memory, newest last,
 * bounded. Every finished activation is also emitted, for `findme start --verbose` and the benchmarks.
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
  end: number;
  duration: number;
  statusCode: StatusCode;
  response: ActivationResponse;
  logs: string[];
  annotations: Annotation[];
  publish: boolean;
  /** The trigger activation that caused this one, for rule-started actions. */
  cause?: string;
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

export interface ListOptions {
  name?: string;
  limit?: number;
  skip?: number;
  since?: number;
  upto?: number;
}

export class ActivationStore extends EventEmitter<{ activation: [ActivationRecord] }> {
  private readonly records = new Map<string, ActivationRecord>();

  constructor(private readonly capacity = 10_000) {
    super();
  }

  add(record: ActivationRecord): void {
    this.records.set(record.activationId, record);
    if (this.records.size > this.capacity) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    this.emit('activation', record);
  }

  get(id: string): ActivationRecord | undefined {
    return this.records.get(id);
  }

  /** Newest first, as OpenWhisk lists them. `name` matches the name or `package/name`. */
  list(options: ListOptions = {}): ActivationRecord[] {
    const all = [...this.records.values()].reverse().filter((r) => {
      if (options.name && r.name !== options.name && annotation(r, 'path') !== `${r.namespace}/${options.name}`) return false;
      if (options.since !== undefined && r.start < options.since) return false;
      if (options.upto !== undefined && r.start > options.upto) return false;
      return true;
    });
    const skip = options.skip ?? 0;
    return all.slice(skip, skip + (options.limit ?? 30));
  }

  all(): ActivationRecord[] {
    return [...this.records.values()];
  }
}
