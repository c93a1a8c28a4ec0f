/**
 * Where a cold start's initialisation goes: Node's own start, then requiring the modules the engine loads, each in
 * a fresh process (a module loaded once is cached, so only a fresh process shows its cost). tfjs-core alone is
 * what a slimmer install would load instead of the whole @tensorflow/tfjs union (layers, converter, data, webgl).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../build/weights';
import { summarize } from './stats';

const PROBES: Record<string, string> = {
  'node start (empty script)': '',
  '@tensorflow/tfjs (what the engine loads)': "require('@tensorflow/tfjs')",
  '@tensorflow/tfjs-core alone (a slimmer install)': "require('@tensorflow/tfjs-core')",
  '+ @tensorflow/tfjs-backend-wasm': "require('@tensorflow/tfjs'); const t0 = performance.now(); require('@tensorflow/tfjs-backend-wasm'); ms = performance.now() - t0",
  '+ @vladmandic/face-api (node-wasm build)': "require('@tensorflow/tfjs'); require('@tensorflow/tfjs-backend-wasm'); const t0 = performance.now(); require('@vladmandic/face-api/dist/face-api.node-wasm.js'); ms = performance.now() - t0",
};

function once(code: string): number {
  // Node start is the time to the script's first line; each module's is the time its require takes.
  const script = code === '' ? 'console.log(performance.now())' : `let ms; const s = performance.now(); ${code}; console.log(ms ?? performance.now() - s)`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: PROJECT_ROOT, env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, 'node_modules') } });
  if (result.status !== 0) throw new Error(`measuring ${code || 'node start'} failed: ${result.stderr}`);
  // tfjs may print its banner about tfjs-node too: the number is the line that parses.
  return Number(result.stdout.split('\n').filter((line) => line.trim() !== '' && Number.isFinite(Number(line))).at(-1));
}

/** Median milliseconds of each part over `runs` fresh processes. */
export function initCosts(runs: number): Array<{ part: string; ms: number }> {
  return Object.entries(PROBES).map(([part, code]) => ({ part, ms: summarize(Array.from({ length: runs }, () => once(code))).median }));
}
