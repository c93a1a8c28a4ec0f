/**
 * A scale model of one search on a real OpenWhisk (not a measurement of one): what a search of N photos costs in
 * trigger fires, invocations and compare_images container-seconds, and how long it takes with C compare_images
 * containers under a namespace's rate limits. The per-photo cost is `findme bench compare`'s warm and cold
 * medians from bench/results/compare.json, measured before the fine pass existed (as FINDME_DETECT_FINE=off), times
 * what the default fine pass costs over the single pass on 2048 px photos in bench/results/stage.json; the source
 * actions a search starts are the rules on search_request in serverless.yml. Run: `node --import ./bin/register.mjs bench/scale.ts [photos]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../actions/lib/config';
import { SEARCH_REQUEST_TRIGGER } from '../actions/register_search';
import { readServerlessYml } from '../local/manifest/serverless';
import { BEFORE_FINE_VARIANT, DEFAULT_FINE_VARIANT } from './stage-variants';

const RESULTS = join(import.meta.dirname, 'results');

interface Limits {
  name: string;
  invokesPerMinute: number;
  firesPerMinute: number;
  concurrent: number;
}

/** OpenWhisk's ansible defaults and openwhisk-deploy-kube's helm values (whisk.limits.*). */
export const LIMITS: Limits[] = [
  { name: 'OpenWhisk (ansible) defaults', invokesPerMinute: 120, firesPerMinute: 60, concurrent: 100 },
  { name: 'openwhisk-deploy-kube defaults', invokesPerMinute: 60, firesPerMinute: 60, concurrent: 30 },
];

/** The page polls search_status 1 s after a change, backing off to 5 s (web/src/follow.ts DEFAULT_BACKOFF). */
const POLL_RATES = [60, 12];

export interface Cost {
  /** With the default fine pass: the measured cost (fine pass off) times finePass.factor. */
  warmMsPerPhoto: number;
  /** Initialisation and first inference: not scaled, the fine pass adds per-photo work. */
  coldExtraMs: number;
  /** What compare.json measured. */
  fineOffWarmMsPerPhoto: number;
  finePass: FinePassCost;
  source: string;
}

export interface FinePassCost {
  /** The default fine pass's time over the single pass's: the median over the face sizes at 2048 × 1536. */
  factor: number;
  /** The lowest and highest of those ratios. */
  range: [number, number];
  source: string;
}

// bench/stage.ts's variant with the engine's defaults, and its baseline, the engine before the fine pass: the one
// compare.json measured.
const FINE_SCENE = '2048x1536';

type StageCell = Record<string, { vsBefore?: unknown; ms?: { median?: unknown } }>;

export function readFinePass(file = join(RESULTS, 'stage.json')): FinePassCost {
  const result = JSON.parse(readFileSync(file, 'utf8')) as { machine: { date: string }; results: Record<string, Record<string, StageCell>> };
  const cells = Object.values(result.results[FINE_SCENE] ?? {});
  const ratios = cells.map((cell) => cell[DEFAULT_FINE_VARIANT]?.vsBefore).filter((r): r is number => typeof r === 'number' && r > 0).sort((a, b) => a - b);
  if (ratios.length === 0 || ratios.length !== cells.length) throw new Error(`${file}: no "${DEFAULT_FINE_VARIANT}" ratio over "${BEFORE_FINE_VARIANT}" in every ${FINE_SCENE} cell`);
  const mid = Math.floor(ratios.length / 2);
  const factor = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  return { factor, range: [ratios[0]!, ratios.at(-1)!], source: `${file.replace(/.*\/bench\//, 'bench/')} (${DEFAULT_FINE_VARIANT} over ${BEFORE_FINE_VARIANT}, ${FINE_SCENE}, ${result.machine.date.slice(0, 10)})` };
}

export function readCost(file = join(RESULTS, 'compare.json'), finePass = readFinePass()): Cost {
  const result = JSON.parse(readFileSync(file, 'utf8')) as { backend: string; machine: { cpu: string; date: string }; warm: { total: { median: number } }; cold: { total: { median: number } } };
  const warm = result.warm.total.median;
  return {
    warmMsPerPhoto: warm * finePass.factor,
    coldExtraMs: result.cold.total.median - warm,
    fineOffWarmMsPerPhoto: warm,
    finePass,
    source: `${file.replace(/.*\/bench\//, 'bench/')} (${result.backend}, ${result.machine.cpu}, ${result.machine.date.slice(0, 10)})`,
  };
}

/** What one search starts, from the deploy's own definition. */
export interface SearchShape {
  /** Actions whose rule takes search_request: each is one invocation per search. */
  sourceActions: number;
  photosPerEvent: number;
}

export function readSearchShape(file = join(import.meta.dirname, '..', 'serverless.yml')): SearchShape {
  // Only the rules are read: the image and secrets the variables name do not change them.
  const sourceActions = readServerlessYml(file, {}).rules.filter((r) => r.trigger === SEARCH_REQUEST_TRIGGER).length;
  if (sourceActions === 0) throw new Error(`${file}: no rule on ${SEARCH_REQUEST_TRIGGER}`);
  return { sourceActions, photosPerEvent: DEFAULTS.photosPerEvent };
}

export interface Estimate {
  fires: number;
  compareInvocations: number;
  invocations: number;
  containerSeconds: number;
  /** Seconds by what would bound them alone. */
  bounds: { compute: number; fires: number; invokes: number };
  seconds: number;
  binding: string;
  effectiveContainers: number;
}

export function estimate(photos: number, containers: number, limits: Limits, cost: Pick<Cost, 'warmMsPerPhoto' | 'coldExtraMs'>, pollsPerMinute: number, search: SearchShape): Estimate {
  const { photosPerEvent } = search;
  const events = Math.ceil(photos / photosPerEvent);
  // register_search, then each source action the search_request fire starts.
  const searchInvocations = 1 + search.sourceActions;
  const fires = 1 + events; // search_request, then one tweet_image per batch
  const effectiveContainers = Math.min(containers, limits.concurrent, events);
  const eventSeconds = (photosPerEvent * cost.warmMsPerPhoto) / 1000;
  const compute = Math.ceil(events / effectiveContainers) * eventSeconds + cost.coldExtraMs / 1000;
  const firesSeconds = (fires / limits.firesPerMinute) * 60;
  // Every rule-started compare_images counts against the invoke rate, and so does every status poll.
  const invokesPerMinuteForWork = limits.invokesPerMinute - pollsPerMinute;
  const invokes = invokesPerMinuteForWork > 0 ? ((events + searchInvocations) / invokesPerMinuteForWork) * 60 : Number.POSITIVE_INFINITY;
  const seconds = Math.max(compute, firesSeconds, invokes);
  const binding = !Number.isFinite(seconds) ? 'invokes per minute (polling alone uses it up)' : seconds === invokes ? 'invokes per minute' : seconds === firesSeconds ? 'trigger fires per minute' : effectiveContainers < containers ? 'concurrent invocations' : 'compute';
  const polls = Math.ceil((seconds / 60) * pollsPerMinute);
  return {
    fires,
    compareInvocations: events,
    invocations: searchInvocations + events + polls,
    containerSeconds: (photos * cost.warmMsPerPhoto + effectiveContainers * cost.coldExtraMs) / 1000,
    bounds: { compute, fires: firesSeconds, invokes },
    seconds,
    binding,
    effectiveContainers,
  };
}

function main(): void {
  const photos = Number(process.argv[2] ?? 1000);
  if (!Number.isInteger(photos) || photos < 1 || photos > 1_000_000) throw new Error('photos: a whole number from 1 to 1000000');
  const cost = readCost();
  const search = readSearchShape();
  const fine = cost.finePass;
  console.log(`A search of ${photos} photos, ${search.photosPerEvent} per tweet_image event, ${search.sourceActions} source actions on ${SEARCH_REQUEST_TRIGGER}.`);
  console.log(`Per photo ${Math.round(cost.warmMsPerPhoto)} ms warm with the default fine pass: ${Math.round(cost.fineOffWarmMsPerPhoto)} ms measured with it off, from ${cost.source},`);
  console.log(`× ${fine.factor.toFixed(2)} (${fine.range.map((r) => r.toFixed(2)).join('–')} by face size) from ${fine.source}; +${Math.round(cost.coldExtraMs)} ms per cold container.`);
  for (const limits of LIMITS) for (const polls of POLL_RATES) {
    console.log(`\n${limits.name}: ${limits.invokesPerMinute} invokes/min, ${limits.firesPerMinute} fires/min, ${limits.concurrent} concurrent; status polled ${polls} times a minute`);
    console.log('containers | used | fires | invocations (polls incl.) | container-s | compute s | fires s | invokes s | time s | binds');
    for (const containers of [10, 50, 100]) {
      const e = estimate(photos, containers, limits, cost, polls, search);
      const s = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '∞');
      console.log(`${containers} | ${e.effectiveContainers} | ${e.fires} | ${Number.isFinite(e.seconds) ? e.invocations : '∞'} | ${e.containerSeconds.toFixed(0)} | ${s(e.bounds.compute)} | ${s(e.bounds.fires)} | ${s(e.bounds.invokes)} | ${s(e.seconds)} | ${e.binding}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
