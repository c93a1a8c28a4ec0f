/**
 * Collects a container's stdout and stderr as OpenWhisk log lines (`<ISO time> stdout: <text>`), and cuts them
 * into activations at the runtime's end-of-activation markers.
 */
import type { Readable } from 'node:stream';

export const MARKER = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
const MAX_LINES_PER_ACTIVATION = 10_000;

interface Line {
  time: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

class StreamLines {
  private partial = '';
  readonly lines: Array<Line | 'marker'> = [];
  private waiters: Array<() => void> = [];
  ended = false;

  constructor(
    source: Readable,
    private readonly stream: 'stdout' | 'stderr',
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
    for (const part of parts) this.add(part);
  }

  private add(text: string): void {
    if (text === MARKER) this.lines.push('marker');
    else {
      this.lines.push({ time: Date.now(), stream: this.stream, text });
      this.echo?.(text);
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when a marker has arrived, the stream ended, or `ms` passed. */
  async waitForMarker(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended && !this.lines.includes('marker') && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Takes the lines up to and including the first marker, or every line with `all`. */
  take(all = false): Line[] {
    const end = all ? -1 : this.lines.indexOf('marker');
    const taken = this.lines.splice(0, end === -1 ? this.lines.length : end + 1);
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

  /** The log lines of the activation that just ended, once both markers arrived (or after `graceMs`). */
  async collect(graceMs = 2000): Promise<string[]> {
    await Promise.all([this.out.waitForMarker(graceMs), this.err.waitForMarker(graceMs)]);
    return format([...this.out.take(), ...this.err.take()]);
  }

  /** Everything buffered now, without waiting (for a container that was killed or died). */
  drain(): string[] {
    return format([...this.out.take(true), ...this.err.take(true)]);
  }
}

function format(unsorted: Line[]): string[] {
    const lines = unsorted.sort((a, b) => a.time - b.time);
    const shown = lines.slice(0, MAX_LINES_PER_ACTIVATION).map((l) => `${new Date(l.time).toISOString()} ${l.stream}: ${l.text}`);
    if (lines.length > MAX_LINES_PER_ACTIVATION) shown.push(`${new Date().toISOString()} stderr: Logs were truncated because the total bytes size exceeds the limit.`);
    return shown;
}
