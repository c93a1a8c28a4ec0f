/**
 * `findme bench compare`: compare_images' per-stage times, cold (a fresh process per run, bundled like an
 * action) and warm (models loaded, first inference done), medians and spread over the demo photos.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { FaceEngine } from '../actions/lib/face/engine';
import { faceConfig } from '../actions/lib/config';
import { RUNTIME_PROVIDED } from '../scripts/build';
import { PROJECT_ROOT } from '../scripts/weights';
import { stackedBars } from './chart';
import { DEMO_PHOTOS, demoProfile, readDemoPhotos } from './demo-photos';
import { describe, finish, machine } from './machine';
import { saveChart, saveResult } from './results';
import { STAGES, timeStages, type StageTimes } from './stages';
import { formatMs, summarize, table } from './stats';

const WORKER = join(PROJECT_ROOT, 'dist', 'bench', 'compare-worker.mjs');

async function buildWorker(): Promise<void> {
  mkdirSync(join(PROJECT_ROOT, 'dist', 'bench'), { recursive: true });
  await esbuild.build({ entryPoints: [join(import.meta.dirname, 'compare-worker.ts')], outfile: WORKER, bundle: true, platform: 'node', target: 'node20', format: 'esm', external: RUNTIME_PROVIDED, banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }, logLevel: 'warning' });
  await esbuild.stop();
}

function coldRun(photo: string): StageTimes & { peakRssBytes: number; backend: string } {
  const result = spawnSync(process.execPath, [WORKER, photo], { encoding: 'utf8', cwd: PROJECT_ROOT, env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, 'node_modules') } });
  if (result.status !== 0) throw new Error(`cold run failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as StageTimes & { peakRssBytes: number; backend: string };
}

export interface CompareOptions {
  quick: boolean;
  runs?: number;
  log?: (line: string) => void;
}

export async function benchCompare(options: CompareOptions): Promise<unknown> {
  const log = options.log ?? console.log;
  const m = machine();
  const coldRuns = options.runs ?? (options.quick ? 3 : 7);
  const warmPasses = options.quick ? 1 : 3;
  await buildWorker();
  log(`cold: ${coldRuns} fresh processes…`);
  const cold = Array.from({ length: coldRuns }, (_, i) => coldRun(DEMO_PHOTOS[i % DEMO_PHOTOS.length]!));

  log(`warm: ${warmPasses} passes over ${DEMO_PHOTOS.length} photos…`);
  const photos = await readDemoPhotos();
  const engine = FaceEngine.fromConfig(faceConfig({}));
  const profile = await engine.profileDescriptor(await demoProfile());
  await timeStages(photos[0]!, profile); // the first inference is part of a cold start, not of warm work
  const warm: Array<StageTimes & { faces: number }> = [];
  for (let pass = 0; pass < warmPasses; pass++) for (const photo of photos) warm.push(await timeStages(photo, profile));

  const rows = [...STAGES, 'total' as const].map((stage) => [stage, formatMs(summarize(cold.map((c) => c[stage]))), formatMs(summarize(warm.map((w) => w[stage])))]);
  const backend = cold[0]?.backend ?? 'unknown';
  const peak = summarize(cold.map((c) => c.peakRssBytes / 2 ** 20));
  log('');
  log(`compare_images per photo (1920 px group photos, 3–5 faces), backend ${backend}; median (10th–90th percentile)`);
  log(table(['stage', `cold (${coldRuns} processes)`, `warm (${warm.length} photos)`], rows));
  log(`peak memory of a cold process: ${Math.round(peak.median)} MB (max ${Math.round(peak.max)} MB)`);
  log(`machine: ${describe(finish(m))}`);
  const result = {
    benchmark: 'compare',
    machine: finish(m),
    backend,
    cold: Object.fromEntries([...STAGES, 'total'].map((s) => [s, summarize(cold.map((c) => c[s as keyof StageTimes]))])),
    warm: Object.fromEntries([...STAGES, 'total'].map((s) => [s, summarize(warm.map((w) => w[s as keyof StageTimes]))])),
    coldPeakMemoryMb: peak,
    targets: { warmTotalMs: 300, coldTotalMs: 1200, modelLoadingMs: 150, peakMemoryMb: 400 },
  };
  if (!options.quick) {
    saveResult('compare', result);
    saveChart(
      'compare',
      stackedBars(`compare_images per photo, ${backend} backend (median ms)`, [
        { label: 'cold', values: STAGES.map((s) => summarize(cold.map((c) => c[s])).median) },
        { label: 'warm', values: STAGES.map((s) => summarize(warm.map((w) => w[s])).median) },
      ], [...STAGES]),
    );
  }
  return result;
}
