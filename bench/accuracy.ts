/**
 * `findme bench accuracy [dir]`: how well faces are told apart, and the match threshold that follows. For a
 * folder of `identity/photo` images (default ../shared/faces; none are committed), every photo's face becomes a
 * profile picture at 400, 96 and 48 px and is compared with every other photo of the same set: same identity is
 * a positive pair, different a negative one. Each profile is also compared, as compare_images compares, with the
 * closest face of each demo group photo — strangers all — which gives the false-match rate per photo. Small face
 * crops (bbt_*) are much harder than real photos (fr_*): each group is reported apart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, faceConfig } from '../actions/lib/config';
import { closestFace, euclideanDistance } from '../actions/lib/face/distance';
import { FaceEngine, type Face, type Faces } from '../actions/lib/face/engine';
import { PROJECT_ROOT } from '../build/weights';
import { readDemoPhotos } from './demo-photos';
import { describeSample, listImages, PROBE_SIZES, type ProbeSize, type Sample } from './labelled-faces';
import { describe, finish, machine } from './machine';
import { saveResult } from './results';
import { table } from './stats';
import { chooseThreshold, rates, type Rates } from './threshold';
import { BAND_THRESHOLDS, chooseBands, demoStrangers, scenarioReport, SCENARIOS, type ScenarioReport } from './references';

export const DEFAULT_FACES_DIR = join(PROJECT_ROOT, '..', 'shared', 'faces');
/** The false-match limit of the target (TPR ≥ 95 % at FPR ≤ 0.5 %). */
const MAX_FPR = 0.005;

interface SizeReport {
  positives: number;
  negatives: number;
  /** Photos without a usable face as a photo or as this size of profile. */
  misses: number;
  positiveMedian: number;
  positiveMax: number;
  negativeMin: number;
  rates: Rates[];
  /** Against the demo group photos (strangers): a photo falsely matched when its closest face is within the threshold. */
  groupPhotos: { photos: number; closest: number; rates: Rates[] };
}

function pairs(samples: Sample[], size: ProbeSize): { positives: number[]; negatives: number[] } {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (const probe of samples) {
    for (const photo of samples) {
      if (photo === probe) continue;
      const p = probe.probes[size];
      const d = p && photo.gallery ? euclideanDistance(p, photo.gallery) : Infinity;
      (photo.identity === probe.identity ? positives : negatives).push(d);
    }
  }
  return { positives, negatives };
}

function report(samples: Sample[], size: ProbeSize, strangers: Face[][]): SizeReport {
  const { positives, negatives } = pairs(samples, size);
  const found = positives.filter(Number.isFinite).sort((a, b) => a - b);
  const photoNegatives = samples.flatMap((s) => strangers.map((faces) => (s.probes[size] ? (closestFace(s.probes[size], faces)?.distance ?? Infinity) : Infinity)));
  return {
    positives: positives.length,
    negatives: negatives.length,
    misses: samples.filter((s) => !s.probes[size] || !s.gallery).length,
    positiveMedian: found[Math.floor(found.length / 2)] ?? NaN,
    positiveMax: found.at(-1) ?? NaN,
    negativeMin: Math.min(...negatives),
    rates: rates(positives, negatives),
    groupPhotos: { photos: photoNegatives.length, closest: Math.min(...photoNegatives), rates: rates([], photoNegatives) },
  };
}

const pct = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—');
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

export async function benchAccuracy(options: { dir: string | undefined; quick: boolean; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const dir = options.dir ?? DEFAULT_FACES_DIR;
  if (!existsSync(dir)) throw new Error(`no labelled faces at ${dir}: give a folder of identity/photo images, e.g. findme bench accuracy ./faces`);
  const m = machine();
  const engine = FaceEngine.fromConfig(faceConfig({}));
  let list = listImages(dir);
  if (options.quick) list = list.filter((item, i) => list.slice(0, i).filter((x) => x.identity === item.identity).length < 2);
  log(`${list.length} photos of ${new Set(list.map((l) => l.identity)).size} identities in ${dir}; each as a photo and as a 400, 96 and 48 px profile…`);
  const samples: Sample[] = [];
  for (const { identity, file } of list) {
    samples.push(await describeSample(engine, identity, file));
    if (samples.length % 10 === 0) log(`  ${samples.length}/${list.length}`);
  }
  // --quick (a smoke run): two of the six group photos are enough to print every row.
  const demoPhotos = (await readDemoPhotos()).slice(0, options.quick ? 2 : undefined);
  const demoFound = await Promise.all(demoPhotos.map((p) => engine.photoFaces(p)));
  const strangers = demoFound.map((found) => found.faces);
  // Real photos first: the target is about them.
  const groups = [...new Set(samples.map((s) => s.group))].sort((a, b) => (a === 'fr' ? -1 : b === 'fr' ? 1 : a.localeCompare(b)));
  const reports: Record<string, Record<ProbeSize, SizeReport>> = {};
  for (const group of groups) {
    const inGroup = samples.filter((s) => s.group === group);
    reports[group] = Object.fromEntries(PROBE_SIZES.map((size) => [size, report(inGroup, size, strangers)])) as Record<ProbeSize, SizeReport>;
    const r = reports[group];
    log('');
    log(`${group}_*: ${inGroup.length} photos of ${new Set(inGroup.map((s) => s.identity)).size} people`);
    for (const size of PROBE_SIZES) {
      const x = r[size];
      log(
        `  ${group}_* with a ${size} px profile: ${x.positives} same-person pairs, ${x.negatives} different, ${x.misses} photos without a usable face; same person median ${num(x.positiveMedian)}, worst ${num(x.positiveMax)}; closest stranger ${num(x.negativeMin)}, in a group photo ${num(x.groupPhotos.closest)}`,
      );
    }
    log(
      table(
        ['threshold', 'TPR 400', 'FPR 400', 'group photos 400', 'TPR 96', 'FPR 96', 'TPR 48', 'FPR 48'],
        r[400].rates.map((row, i) => [
          row.threshold.toFixed(4),
          pct(row.tpr),
          pct(row.fpr),
          pct(r[400].groupPhotos.rates[i]?.fpr),
          pct(r[96].rates[i]?.tpr),
          pct(r[96].rates[i]?.fpr),
          pct(r[48].rates[i]?.tpr),
          pct(r[48].rates[i]?.fpr),
        ]),
      ),
    );
  }
  // findme asks for the 400 px picture: TPR on real photos, every FPR (pairs and group photos, every group) guarded.
  const recallGroup = groups[0]!;
  const choice = chooseThreshold(
    reports[recallGroup]![400].rates,
    groups.flatMap((g) => [reports[g]![400].rates, reports[g]![400].groupPhotos.rates]),
    MAX_FPR,
  );
  const at = (t: number, g: string, s: ProbeSize) => reports[g]![s].rates.find((r) => r.threshold === t);
  log('');
  log(`thresholds with TPR ≥ 95 % on ${recallGroup}_* and every FPR ≤ 0.5 % (400 px profile): ${choice.safe.length ? choice.safe.join(', ') : 'none'}`);
  log(
    `chosen: ${choice.threshold ?? 'none'} (${choice.reason})${choice.threshold === undefined ? '' : `: ${groups.map((g) => `${g} TPR ${pct(at(choice.threshold!, g, 400)?.tpr)} FPR ${pct(at(choice.threshold!, g, 400)?.fpr)}`).join('; ')}`}; the default in the code is ${DEFAULTS.matchThreshold}`,
  );
  const bands = await referenceBands(engine, samples, groups, demoPhotos, demoFound, log);
  log(`machine: ${describe(finish(m))}`);
  const result = { benchmark: 'accuracy', machine: finish(m), dir, photos: samples.length, strangerPhotos: strangers.length, maxFpr: MAX_FPR, defaultThreshold: DEFAULTS.matchThreshold, choice, groups: reports, bands };
  if (!options.quick) saveResult('accuracy', result);
  return result;
}

/** The references and bands section: 1 and 3 references, nearest or mean of two, both bands' thresholds. */
async function referenceBands(engine: FaceEngine, samples: Sample[], groups: string[], demoPhotos: Buffer[], demoFound: Faces[], log: (line: string) => void) {
  const strangers = demoFound.map((found) => found.faces);
  const reports: Record<string, ScenarioReport[]> = {};
  for (const group of groups) reports[group] = SCENARIOS.map((s) => scenarioReport(samples.filter((x) => x.group === group), strangers, s));
  const demo = await demoStrangers(engine, demoPhotos, demoFound);
  const choice = chooseBands(reports, demo);
  log('');
  log('References (400 px profile crops of other photos of the person) and bands: TPR / pair FPR / group-photo FPR per set and scenario; demo strangers FPR');
  const columns = groups.flatMap((g) => reports[g]!.map((r) => `${g} ${r.scenario}`));
  log(
    table(
      ['threshold', ...columns, 'demo strangers', 'band'],
      BAND_THRESHOLDS.map((t, i) => [
        t.toFixed(4),
        ...groups.flatMap((g) => reports[g]!.map((r) => `${pct(r.rates[i]?.tpr)} / ${pct(r.rates[i]?.fpr)} / ${pct(r.groupPhotos[i]?.fpr)}`)),
        pct(demo[i]?.fpr),
        t <= (choice.sure ?? -1) ? 'match' : t <= (choice.maybe ?? -1) ? 'maybe' : '',
      ]),
    ),
  );
  for (const g of groups) for (const r of reports[g]!) log(`  ${g} ${r.scenario}: ${r.positives} same-person pairs, ${r.negatives} different, ${r.groupPhotoChecks} group-photo checks`);
  log(`bands chosen: match ≤ ${choice.sure ?? 'none'}, maybe ≤ ${choice.maybe ?? 'none'} (${choice.reason}); the defaults in the code are ${DEFAULTS.matchThreshold} and ${DEFAULTS.maybeThreshold}`);
  return { thresholds: BAND_THRESHOLDS, groups: reports, demoStrangers: demo, choice };
}
