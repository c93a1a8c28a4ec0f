/**
 * Cold starts: compare-worker.ts bundled as an action is (the modules the runtime provides left external), run in
 * a fresh process per measurement, so its start-up — loading code, TensorFlow, the models, the first inference —
 * is an action container's.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { DEFAULT_DETECTOR, type DetectorOptions } from '../actions/lib/face/detect';
import { RUNTIME_PROVIDED } from '../build/build';
import { PROJECT_ROOT } from '../build/weights';
import type { StageTimes } from './stages';

const WORKER = join(PROJECT_ROOT, 'dist', 'bench', 'compare-worker.mjs');

export type ColdRun = StageTimes & { cpuMs: number; peakRssBytes: number; backend: string };

let built: Promise<void> | undefined;

function buildWorker(): Promise<void> {
  built ??= (async () => {
    mkdirSync(join(PROJECT_ROOT, 'dist', 'bench'), { recursive: true });
    await esbuild.build({
      entryPoints: [join(import.meta.dirname, 'compare-worker.ts')],
      outfile: WORKER,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      external: RUNTIME_PROVIDED,
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'warning',
    });
    await esbuild.stop();
  })();
  return built;
}

/**
 * A fresh process comparing `photos` with `detector`: the stages of its first photo, timed from process start,
 * and the process's peak memory after all of them.
 */
export async function coldProcess(photos: string[], detector: DetectorOptions = DEFAULT_DETECTOR, env: Record<string, string> = {}): Promise<ColdRun> {
  await buildWorker();
  const args = [WORKER, ...(detector.detector === 'tiny' ? ['--tiny', String(detector.inputSize)] : []), ...photos];
  // NODE_PATH: the runtime's modules come from the project's node_modules, as in a local container.
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env, NODE_PATH: join(PROJECT_ROOT, 'node_modules') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`cold run exited with ${code}: ${err.slice(-2000)}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as ColdRun;
}
