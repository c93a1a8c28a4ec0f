/** A one-line progress bar for terminals; silent where stdout is not a TTY (pipes, CI logs). */
import type { SearchStatusResponse } from '../actions/lib/types';

const WIDTH = 28;

export function progressLine(status: SearchStatusResponse): string {
  const done = status.processed + status.failed;
  const total = status.total;
  const ratio = total > 0 ? Math.min(1, done / total) : status.status === 'done' ? 1 : 0;
  const filled = Math.round(ratio * WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
  const of = status.searchDone ? `${total}` : `${total}+`;
  return `${bar} ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${of} photos  ${status.matched} matched  ${status.failed} failed${status.retrying ? `  retrying ${status.retrying}` : ''}  ${status.status}`;
}

export class ProgressBar {
  private shown = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(status: SearchStatusResponse): void {
    if (!this.enabled) return;
    this.stream.write(`\r\x1b[2K${progressLine(status)}`);
    this.shown = true;
  }

  /** Clears the bar so a normal line can be printed, then redraws on the next update. */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }

  end(): void {
    if (this.shown) this.stream.write('\n');
    this.shown = false;
  }
}
