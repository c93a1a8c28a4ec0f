/** What a result was measured on: numbers mean little without the machine and how busy it was. */
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  /** 1-minute load average when the run started and ended. */
  loadStart: number;
  loadEnd?: number;
}

export function machine(): Machine {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadStart: Number(loadavg()[0]!.toFixed(2)),
  };
}

export function finish(m: Machine): Machine {
  return { ...m, loadEnd: Number(loadavg()[0]!.toFixed(2)) };
}

export function describe(m: Machine): string {
  return `${m.cores}× ${m.cpu}, ${m.memoryGb} GB, Node ${m.node}, load ${m.loadStart}${m.loadEnd !== undefined ? `→${m.loadEnd}` : ''}, ${m.date.slice(0, 16)}Z`;
}
