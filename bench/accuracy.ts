/**
 * `findme bench accuracy [dir]`: how well faces are told apart. For a folder of `identity/photo` images, each
 * photo is a posted photo (its largest face) and, cropped around that face and shrunk, a profile picture at
 * 400, 96 and 48 px. Every profile is compared with every other photo: same identity is a positive pair,
 * different a negative one. TPR and FPR at thresholds 0.45–0.65 choose the default match threshold.
 * Small face crops (bbt_*) are much harder than real photos (fr_*): the two groups are reported apart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULTS, faceConfig } from '../actions/lib/config';
import { euclideanDistance } from '../actions/lib/face/distance';
import { FaceEngine } from '../actions/lib/face/engine';
import type { FaceBox } from '../actions/lib/types';
import { PROJECT_ROOT } from '../scripts/weights';
import { describe, finish, machine } from './machine';
import { saveResult } from './results';
import { table } from './stats';

export const DEFAULT_FACES_DIR = join(PROJECT_ROOT, '..', 'shared', 'faces');
export const PROBE_SIZES = [400, 96, 48] as const;
export const THRESHOLDS = [0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6, 0.625, 0.65];

interface Sample {
  identity: string;
  group: string;
  file: string;
  gallery: Float32Array | undefined;
  probes: Record<number, Float32Array | undefined>;
}

export interface Rates {
  threshold: number;
  tpr: number;
  fpr: number;
}

/** TPR and FPR of distances at each threshold; a missing descriptor counts as a miss (never a match). */
export function rates(positives: number[], negatives: number[], thresholds = THRESHOLDS): Rates[] {
  return thresholds.map((threshold) => ({
    threshold,
    tpr: positives.length ? positives.filter((d) => d <= threshold).length / positives.length : NaN,
    fpr: negatives.length ? negatives.filter((d) => d <= threshold).length / negatives.length : NaN,
  }));
}

/**
 * The threshold to ship: among those whose FPR stays within `maxFpr` in every table, the smallest that reaches
 * `minTpr` in the first (real photos), since a false match shows a stranger's photo as yours; failing that, the
 * largest within the FPR limit. Tables share their thresholds.
 */
export function chooseThreshold(tables: Rates[][], maxFpr: number, minTpr = 0.95): number | undefined {
  const safe = (tables[0] ?? []).map((r) => r.threshold).filter((t) => tables.every((table) => (table.find((r) => r.threshold === t)?.fpr ?? 1) <= maxFpr));
  return safe.find((t) => (tables[0]!.find((r) => r.threshold === t)?.tpr ?? 0) >= minTpr) ?? safe.at(-1);
}

function images(dir: string): Array<{ identity: string; file: string }> {
  return readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort()
    .flatMap((identity) =>
      readdirSync(join(dir, identity))
        .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
        .sort()
        .map((f) => ({ identity, file: join(dir, identity, f) })),
    );
}

function largest<T extends { box: FaceBox }>(faces: T[]): T | undefined {
  return [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
}

/** A profile picture: a square around the face with some margin, as people frame them, at `size` px. */
async function profileCrop(bytes: Buffer, box: FaceBox, width: number, height: number, size: number): Promise<Buffer> {
  const side = Math.min(Math.round(Math.max(box.width, box.height) * 1.8), width, height);
  const left = Math.max(0, Math.min(width - side, Math.round(box.x + box.width / 2 - side / 2)));
  const top = Math.max(0, Math.min(height - side, Math.round(box.y + box.height / 2 - side / 2)));
  return sharp(bytes).rotate().extract({ left, top, width: side, height: side }).resize(size, size).jpeg({ quality: 88 }).toBuffer();
}

async function describeSample(engine: FaceEngine, identity: string, file: string): Promise<Sample> {
  const bytes = readFileSync(file);
  const sample: Sample = { identity, group: identity.split('_')[0]!, file, gallery: undefined, probes: {} };
  let faces = await engine.photoFaces(bytes).catch(() => undefined);
  let face = faces && largest(faces.faces);
  if (!face) {
    // A tight crop (the bbt_* set) fills the frame: detect it as a profile picture is detected, on a padded canvas.
    const descriptor = await engine.profileDescriptor(bytes).catch(() => undefined);
    if (!descriptor) return sample;
    sample.gallery = descriptor;
    const meta = await sharp(bytes).metadata();
    faces = { width: meta.width ?? 0, height: meta.height ?? 0, faces: [] };
    face = { box: { x: 0, y: 0, width: faces.width, height: faces.height }, descriptor };
  } else sample.gallery = face.descriptor;
  for (const size of PROBE_SIZES) {
    const crop = await profileCrop(bytes, face.box, faces!.width, faces!.height, size);
    sample.probes[size] = await engine.profileDescriptor(crop).catch(() => undefined);
  }
  return sample;
}

function pairs(samples: Sample[], size: number): { positives: number[]; negatives: number[] } {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (const probe of samples) {
    for (const photo of samples) {
      if (photo === probe) continue;
      const d = probe.probes[size] && photo.gallery ? euclideanDistance(probe.probes[size], photo.gallery) : Infinity;
      (photo.identity === probe.identity ? positives : negatives).push(d);
    }
  }
  return { positives, negatives };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—');

export async function benchAccuracy(options: { dir: string | undefined; quick: boolean; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const dir = options.dir ?? DEFAULT_FACES_DIR;
  if (!existsSync(dir)) throw new Error(`no labelled faces at ${dir}: give a folder of identity/photo images, e.g. findme bench accuracy ./faces`);
  const m = machine();
  const engine = FaceEngine.fromConfig(faceConfig({}));
  let list = images(dir);
  if (options.quick) list = list.filter((item, i) => list.slice(0, i).filter((x) => x.identity === item.identity).length < 2);
  log(`${list.length} photos of ${new Set(list.map((l) => l.identity)).size} identities in ${dir}…`);
  const samples: Sample[] = [];
  for (const { identity, file } of list) samples.push(await describeSample(engine, identity, file));
  const groups = [...new Set(samples.map((s) => s.group))].sort((a, b) => (a === 'fr' ? -1 : b === 'fr' ? 1 : a.localeCompare(b)));
  const report: Record<string, Record<number, { positives: number; negatives: number; misses: number; rates: Rates[]; positiveMedian: number; negativeMin: number }>> = {};
  for (const group of groups) {
    const inGroup = samples.filter((s) => s.group === group);
    report[group] = {};
    for (const size of PROBE_SIZES) {
      const { positives, negatives } = pairs(inGroup, size);
      const sortedPos = positives.filter(Number.isFinite).sort((a, b) => a - b);
      report[group][size] = {
        positives: positives.length,
        negatives: negatives.length,
        misses: inGroup.filter((s) => !s.probes[size] || !s.gallery).length,
        rates: rates(positives, negatives),
        positiveMedian: sortedPos[Math.floor(sortedPos.length / 2)] ?? NaN,
        negativeMin: Math.min(...negatives),
      };
      const r = report[group][size];
      log('');
      log(`${group}_* with a ${size} px profile: ${r.positives} same-person pairs, ${r.negatives} different, ${r.misses} photos without a usable face; median same-person distance ${r.positiveMedian.toFixed(3)}, closest strangers ${r.negativeMin.toFixed(3)}`);
      log(table(['threshold', 'TPR', 'FPR'], r.rates.map((x) => [x.threshold.toFixed(3), pct(x.tpr), pct(x.fpr)])));
    }
  }
  // With a 400 px profile (findme always asks for the 400 px picture): FPR ≤ 0.5 % in every group, TPR ≥ 95 %
  // on real photos (the fr group comes first).
  const chosen = chooseThreshold(Object.values(report).map((g) => g[400]!.rates), 0.005);
  log('');
  log(
    `default in the code: ${DEFAULTS.matchThreshold}; the smallest threshold with TPR ≥ 95 % on real photos and FPR ≤ 0.5 % in every group at 400 px: ${
      chosen === undefined ? 'none' : `${chosen} (${Object.entries(report).map(([g, r]) => `${g} TPR ${pct(r[400]!.rates.find((x) => x.threshold === chosen)!.tpr)}`).join(', ')})`
    }`,
  );
  log(`machine: ${describe(finish(m))}`);
  const result = { benchmark: 'accuracy', machine: finish(m), dir, photos: samples.length, defaultThreshold: DEFAULTS.matchThreshold, recommendedThreshold: chosen, groups: report };
  if (!options.quick) saveResult('accuracy', result);
  return result;
}
