/**
 * Collects a container's stdout and stderr as OpenWhisk activation log lines and cuts them into activations at
 * the runtime's end-of-activation markers. Lines look like OpenWhisk's (`%-30s %s: %s` over Docker's nanosecond
 * timestamps), and an activation keeps at most the action's log limit (10 MB), then OpenWhisk's truncation notice.
 */
import type { Readable } from 'node:stream';
import { MARKER } from '../runtime/protocol';

export const LOG_LIMIT_BYTES = 10 * 1024 * 1024;
export const TRUNCATED_NOTICE = `Logs were truncated because the total bytes size exceeds the limit of ${LOG_LIMIT_BYTES} bytes.`;

type Stream = 'stdout' | 'stderr';

interface Line {
  stamp: string;
  stream: Stream;
  text: string;
}

/** An ISO time with nanosecond digits (microsecond precision), 30 characters like Docker's log timestamps. */
export function logTimestamp(ms = performance.timeOrigin + performance.now()): string {
  const whole = Math.floor(ms);
  const micros = Math.floor((ms - whole) * 1000);
  return new Date(whole).toISOString().replace(/Z$/, `${String(micros).padStart(3, '0')}000Z`);
}

export function formatLogLine(stamp: string, stream: Stream, text: string): string {
  return `${stamp.padEnd(30)} ${stream}: ${text}`;
}

class StreamLines {
  private partial = '';
  /** Lines of activations not yet collected, with a marker where each ended. */
  private readonly pending: Array<Line | 'marker'> = [];
  private bytes = 0;
  private overflowed = false;
  private waiters: Array<() => void> = [];
  ended = false;
  /** V8 said it ran out of heap: the container died of its memory limit. */
  outOfMemory = false;

  constructor(
    source: Readable,
    private readonly stream: Stream,
    private readonly echo?: (line: string) => void,
  ) {
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => this.push(chunk));
    source.on('end', () => {
      if (this.partial) this.add(this.partial);
      this.partial = '';
      this.ended = true;
      this.wake();
    });
  }

  private push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    // A line without an end is cut at the limit rather than buffered without bound.
    if (this.partial.length > LOG_LIMIT_BYTES) {
      parts.push(this.partial);
      this.partial = '';
    }
    for (const part of parts) this.add(part.replace(/\r$/, ''));
  }

  private add(text: string): void {
    // As OpenWhisk, a line that contains the marker ends the activation (output written without a final newline
    // shares the marker's line; it is kept).
    const at = text.indexOf(MARKER);
    if (at !== -1) {
      if (at > 0) this.add(text.slice(0, at));
      this.pending.push('marker');
      this.bytes = 0;
      this.overflowed = false;
    } else {
      if (/JavaScript heap out of memory|Reached heap limit/.test(text)) this.outOfMemory = true;
      this.echo?.(text);
      this.bytes += Buffer.byteLength(text) + 1;
      if (this.bytes <= LOG_LIMIT_BYTES) this.pending.push({ stamp: logTimestamp(), stream: this.stream, text });
      else if (!this.overflowed) {
        this.overflowed = true;
        this.pending.push({ stamp: logTimestamp(), stream: 'stderr', text: TRUNCATED_NOTICE });
      }
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when `done()` holds, the stream ended, or `ms` passed. */
  async waitUntil(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended && !done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  hasMarker(): boolean {
    return this.pending.includes('marker');
  }

  /** Takes the lines up to and including the first marker, or every line with `all`. */
  take(all = false): Line[] {
    const end = all ? -1 : this.pending.indexOf('marker');
    const taken = this.pending.splice(0, end === -1 ? this.pending.length : end + 1);
    return taken.filter((l): l is Line => l !== 'marker');
  }
}

export class ContainerLogs {
  private readonly out: StreamLines;
  private readonly err: StreamLines;

  constructor(stdout: Readable, stderr: Readable, echo?: (line: string) => void) {
    this.out = new StreamLines(stdout, 'stdout', echo);
    this.err = new StreamLines(stderr, 'stderr', echo);
  }

  get outOfMemory(): boolean {
    return this.err.outOfMemory || this.out.outOfMemory;
  }

  /** The lines of the activation that just ended, once both markers arrived (or after `graceMs`). */
  async collect(graceMs = 2000): Promise<string[]> {
    await Promise.all([this.out.waitUntil(() => this.out.hasMarker(), graceMs), this.err.waitUntil(() => this.err.hasMarker(), graceMs)]);
    return format([...this.out.take(), ...this.err.take()]);
  }

  /** Waits (bounded) until a container that is going down has closed both pipes, so every line is in. */
  async drainPending(graceMs = 1000): Promise<void> {
    await Promise.all([this.out.waitUntil(() => false, graceMs), this.err.waitUntil(() => false, graceMs)]);
  }

  /** Everything buffered, markers or not: a developer error may never write them. */
  takeAll(): string[] {
    return format([...this.out.take(true), ...this.err.take(true)]);
  }
}

function format(lines: Line[]): string[] {
  // Same-length ISO stamps sort as times; the sort is stable, so stdout comes first on a tie.
  return lines.sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0)).map((l) => formatLogLine(l.stamp, l.stream, l.text));
}
