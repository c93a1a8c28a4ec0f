/**
 * A scale model of one search on a real OpenWhisk (not a measurement of one): what a search of N photos costs in
 * trigger fires, invocations and compare_images container-seconds, and how long it takes with C compare_images
 * containers under a namespace's rate limits. The per-photo cost is `findme bench compare`'s warm and cold
 * medians from bench/results/compare.json. Run: `node --import tsx bench/scale.ts [photos]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../actions/lib/config';

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

interface Cost {
  warmMsPerPhoto: number;
  coldExtraMs: number;
  source: string;
}

export function readCost(file = join(import.meta.dirname, 'results', 'compare.json')): Cost {
  const result = JSON.parse(readFileSync(file, 'utf8')) as { backend: string; machine: { cpu: string; date: string }; warm: { total: { median: number } }; cold: { total: { median: number } } };
  const warm = result.warm.total.median;
  return { warmMsPerPhoto: warm, coldExtraMs: result.cold.total.median - warm, source: `${file.replace(/.*\/bench\//, 'bench/')} (${result.backend}, ${result.machine.cpu}, ${result.machine.date.slice(0, 10)})` };
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

export function estimate(photos: number, containers: number, limits: Limits, cost: Cost, pollsPerMinute: number, photosPerEvent = DEFAULTS.photosPerEvent): Estimate {
  const events = Math.ceil(photos / photosPerEvent);
  const fires = 1 + events; // search_request, then one tweet_image per batch
  const effectiveContainers = Math.min(containers, limits.concurrent, events);
  const eventSeconds = (photosPerEvent * cost.warmMsPerPhoto) / 1000;
  const compute = Math.ceil(events / effectiveContainers) * eventSeconds + cost.coldExtraMs / 1000;
  const firesSeconds = (fires / limits.firesPerMinute) * 60;
  // Every rule-started compare_images counts against the invoke rate, and so does every status poll.
  const invokesPerMinuteForWork = limits.invokesPerMinute - pollsPerMinute;
  const invokes = invokesPerMinuteForWork > 0 ? ((events + 2) / invokesPerMinuteForWork) * 60 : Number.POSITIVE_INFINITY;
  const seconds = Math.max(compute, firesSeconds, invokes);
  const binding = !Number.isFinite(seconds) ? 'invokes per minute (polling alone uses it up)' : seconds === invokes ? 'invokes per minute' : seconds === firesSeconds ? 'trigger fires per minute' : effectiveContainers < containers ? 'concurrent invocations' : 'compute';
  const polls = Math.ceil((seconds / 60) * pollsPerMinute);
  return {
    fires,
    compareInvocations: events,
    invocations: 2 + events + polls,
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
  console.log(`A search of ${photos} photos, ${DEFAULTS.photosPerEvent} per tweet_image event; per photo ${Math.round(cost.warmMsPerPhoto)} ms warm, +${Math.round(cost.coldExtraMs)} ms per cold container, from ${cost.source}.`);
  for (const limits of LIMITS) for (const polls of POLL_RATES) {
    console.log(`\n${limits.name}: ${limits.invokesPerMinute} invokes/min, ${limits.firesPerMinute} fires/min, ${limits.concurrent} concurrent; status polled ${polls} times a minute`);
    console.log('containers | used | fires | invocations (polls incl.) | container-s | compute s | fires s | invokes s | time s | binds');
    for (const containers of [10, 50, 100]) {
      const e = estimate(photos, containers, limits, cost, polls);
      const s = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '∞');
      console.log(`${containers} | ${e.effectiveContainers} | ${e.fires} | ${Number.isFinite(e.seconds) ? e.invocations : '∞'} | ${e.containerSeconds.toFixed(0)} | ${s(e.bounds.compute)} | ${s(e.bounds.fires)} | ${s(e.bounds.invokes)} | ${s(e.seconds)} | ${e.binding}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
