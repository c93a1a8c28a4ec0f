/**
 * The references part of `findme bench accuracy`: a user with 1 or 3 reference faces (400 px profile crops of
 * other photos of them), each face's distance to the user taken as the nearest reference or the mean of the two
 * nearest, split into the two bands. Negatives are every other person's photos of the same set, the closest face
 * of each demo group photo (strangers to every labelled person), and the demo photos' own faces as profiles
 * against the other demo photos (the strangers that matched in issue 15: different people of similar looks).
 * The sure threshold is the largest whose false matches stay ≤ 0.1 % of pairs and at none of the group photos;
 * the maybe threshold the smallest above it that brings sure + maybe to TPR ≥ 98 % of same-person pairs.
 */
import type { FaceEngine, Face, Faces } from '../actions/lib/face/engine';
import { closestToUser, userDistance, type Combine } from '../actions/lib/face/bands';
import { profileCrop, type Sample } from './labelled-faces';
import { rates, type Rates } from './threshold';

/** 0.40 to 0.70 in steps of 0.0125: the sure band lies lower than one profile's threshold did. */
export const BAND_THRESHOLDS = Array.from({ length: 25 }, (_, i) => Math.round((0.4 + i * 0.0125) * 10_000) / 10_000);
/** False matches allowed in the sure band, of stranger pairs (the issue's goal). */
export const SURE_MAX_FPR = 0.001;
/** Same-person pairs sure + maybe must keep. */
export const MAYBE_MIN_TPR = 0.98;

export interface Scenario {
  references: 1 | 3;
  combine: Combine;
}

export const SCENARIOS: readonly Scenario[] = [
  { references: 1, combine: 'nearest' },
  { references: 3, combine: 'nearest' },
  { references: 3, combine: { meanOfNearest: 2 } },
];

export function scenarioName({ references, combine }: Scenario): string {
  return `${references} ref${references > 1 ? 's' : ''}${references > 1 ? (combine === 'nearest' ? ', nearest' : `, mean of ${combine.meanOfNearest} nearest`) : ''}`;
}

export interface ScenarioReport {
  scenario: string;
  positives: number;
  negatives: number;
  groupPhotoChecks: number;
  rates: Rates[];
  groupPhotos: Rates[];
}

/**
 * Each photo of a person as the face to find, with `k` other photos of them as references (the next ones in
 * order, cyclically): a person with fewer than k + 1 photos is left out of that scenario.
 */
export function scenarioReport(samples: Sample[], strangers: Face[][], { references: k, combine }: Scenario): ScenarioReport {
  const positives: number[] = [];
  const negatives: number[] = [];
  const groupPhotos: number[] = [];
  const people = new Map<string, Sample[]>();
  for (const s of samples) people.set(s.identity, [...(people.get(s.identity) ?? []), s]);
  for (const [identity, photos] of people) {
    if (photos.length < k + 1) continue;
    photos.forEach((target, i) => {
      const refs = Array.from({ length: k }, (_, j) => photos[(i + 1 + j) % photos.length]!.probes[400]).filter((r): r is Float32Array => r !== undefined);
      if (refs.length < k) return;
      positives.push(target.gallery ? userDistance(refs, target.gallery, combine) : Infinity);
      // Every other person's photos once per person (not once per reference set): each negative pair counts once.
      if (i === 0) {
        for (const other of samples) if (other.identity !== identity && other.gallery) negatives.push(userDistance(refs, other.gallery, combine));
        for (const faces of strangers) groupPhotos.push(closestToUser(refs, faces, combine)?.distance ?? Infinity);
      }
    });
  }
  return { scenario: scenarioName({ references: k, combine }), positives: positives.length, negatives: negatives.length, groupPhotoChecks: groupPhotos.length, rates: rates(positives, negatives, BAND_THRESHOLDS), groupPhotos: rates([], groupPhotos, BAND_THRESHOLDS) };
}

/**
 * Each face of each demo photo (`found` in it by the engine), cropped as a 400 px profile picture, against the
 * closest face of every other demo photo: the photos show different people, so any match is a false one (per
 * photo, as a user sees it).
 */
export async function demoStrangers(engine: FaceEngine, photos: Buffer[], found: Faces[]): Promise<Rates[]> {
  const distances: number[] = [];
  const faces = found.map((f) => f.faces);
  for (const [i, bytes] of photos.entries()) {
    const { width, height, faces: photo } = found[i]!;
    for (const face of photo) {
      const probe = await engine.profileDescriptor(await profileCrop(bytes, face.box, width, height, 400)).catch(() => undefined);
      if (!probe) continue;
      faces.forEach((other, j) => {
        if (j !== i) distances.push(closestToUser([probe], other)?.distance ?? Infinity);
      });
    }
  }
  return rates([], distances, BAND_THRESHOLDS);
}

export interface BandChoice {
  sure: number | undefined;
  maybe: number | undefined;
  reason: string;
}

/**
 * The sure threshold: the largest at which every scenario of every set keeps pair FPR ≤ SURE_MAX_FPR and no group
 * photo (nor demo stranger) falsely matched. The maybe threshold: the smallest at or above it where, with one
 * reference (the worst case: a user who added nothing), every set keeps TPR ≥ MAYBE_MIN_TPR.
 */
export function chooseBands(reports: Record<string, ScenarioReport[]>, demo: Rates[]): BandChoice {
  const fprAt = (table: Rates[], t: number) => table.find((r) => r.threshold === t)?.fpr ?? 1;
  const sureOk = (t: number) => fprAt(demo, t) === 0 && Object.values(reports).every((list) => list.every((r) => fprAt(r.rates, t) <= SURE_MAX_FPR && fprAt(r.groupPhotos, t) === 0));
  const sure = BAND_THRESHOLDS.filter(sureOk).at(-1);
  if (sure === undefined) return { sure, maybe: undefined, reason: 'no threshold keeps the sure band free of false matches' };
  const single = Object.values(reports).map((list) => list.find((r) => r.scenario === scenarioName(SCENARIOS[0]!))!);
  const maybe = BAND_THRESHOLDS.find((t) => t >= sure && single.every((r) => (r.rates.find((x) => x.threshold === t)?.tpr ?? 0) >= MAYBE_MIN_TPR));
  return {
    sure,
    maybe,
    reason: `sure: the largest threshold with pair FPR ≤ ${SURE_MAX_FPR * 100} % and no false match on a group photo or demo stranger, in every scenario; maybe: ${maybe === undefined ? `no threshold up to ${BAND_THRESHOLDS.at(-1)} reaches` : 'the smallest that reaches'} TPR ≥ ${MAYBE_MIN_TPR * 100} % with one reference in every set`,
  };
}
