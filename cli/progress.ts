/**
 * Progress of a search on stderr: a redrawn one-line bar on a terminal; elsewhere (a pipe, a CI log, `--json`
 * runs) one plain line each time the counts change, so stdout stays only results.
 */
import type { SearchStatusResponse } from '../actions/lib/types';
import { progressMessage } from '../client/outcome';

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

/** The plain line for logs: what is happening, then the counts. */
export function progressText(status: SearchStatusResponse): string {
  const of = status.searchDone ? `${status.total}` : `${status.total}+`;
  const ended: Partial<Record<SearchStatusResponse['status'], string>> = { done: 'Done.', failed: 'Failed.', cancelled: 'Cancelled.' };
  const state = ended[status.status] ?? progressMessage(status);
  return `${state} ${status.processed + status.failed} of ${of} photos checked, ${status.matched} matched, ${status.failed} failed`;
}

export class ProgressBar {
  private shown = false;
  private lastText = '';
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(status: SearchStatusResponse): void {
    if (this.stream.isTTY !== true) {
      const text = progressText(status);
      if (text !== this.lastText) this.stream.write(`${text}\n`);
      this.lastText = text;
      return;
    }
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
