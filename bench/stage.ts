/**
 * `findme bench stage [dir]`: small faces in large photos. Each sampled photo of a labelled folder (default
 * ../shared/faces, read where it is) is cut around its face, shrunk so the face is 24–96 px wide and pasted into
 * a 2048 × 1536 scene (and, for a fourth of them, a 4032 × 3024 one); every engine variant below sees the same
 * composites, interleaved, so their times compare within one run on a shared machine. Per face size: TPR at the
 * default threshold with a 400 px profile (another photo of the person), false matches against every other
 * person's profile, pasted faces detected, false detections, detector passes and milliseconds per photo. TPR
 * counts sure matches (FINDME_MATCH_THRESHOLD) and, beside it, sure + maybe (FINDME_MAYBE_THRESHOLD: the photos
 * the user is asked to check). The variants: the engine before the fine pass; the windows pass (the default: a
 * Tiny 768 proposer at score 0.01 on tiles of the photo's shape seeing it at 0.85, SSD over the whole photo only
 * when a gate sees a face too large for the check windows, a Tiny 224 check on a window around each candidate),
 * with the proposer's score at 0.05 (the default until 2026-12-07 23:30) and 0.005, and as it was the default
 * until 17:40 (SSD on every photo, the proposer at 0.7 and 0.05; the gate with the proposer at 0.7 and 0.8, the
 * square Tiny 512 tiles, the cascade, SSD on tiles and a Tiny 1024 proposer were measured before, in git
 * history). `--skip n`
 * measures on the photos after the first n, which the defaults were not chosen on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DEFAULTS, faceConfig } from '../actions/lib/config';
import { euclideanDistance } from '../actions/lib/face/distance';
import { detectorPasses } from '../actions/lib/face/detect';
import { FaceEngine, type EngineOptions, type Faces } from '../actions/lib/face/engine';
import type { FaceBox } from '../actions/lib/types';
import { stagePhoto } from '../local/standins/stage-photos';
import { DEFAULT_FACES_DIR } from './accuracy';
import { matchFaces } from './boxes';
import { lines } from './chart';
import { largest, listImages, profileCrop } from './labelled-faces';
import { describe, finish, machine } from './machine';
import { saveChart, saveResult } from './results';
import { BEFORE_FINE_VARIANT, DEFAULT_FINE_VARIANT, PREVIOUS_FINE_VARIANT, UNGATED_FINE_VARIANT } from './stage-variants';
import { summarize, table } from './stats';

export const STAGE_SIZES = [24, 32, 48, 64, 96] as const;
const SCENES = [
  { width: 2048, height: 1536 },
  { width: 4032, height: 3024 },
] as const;

interface Variant {
  name: string;
  run(engine: FaceEngine, bytes: Buffer): Promise<Faces>;
  engine: FaceEngine;
  /** Only in this scene (a variant that would run the very same passes as another elsewhere). */
  scene?: string;
}

/**
 * Today's engine with the fine pass off, before it (one shrunk photo, descriptors from it), and each fine pass.
 * The grid by size is 2 × 2 at 2048 px (test/face-tiles.test.ts), so SSD by size runs only at 4032 px.
 */
function variants(quick: boolean): Variant[] {
  const config = faceConfig({});
  const make = (name: string, settings: Partial<EngineOptions>, scene?: string): Variant => ({
    name,
    scene,
    engine: new FaceEngine({ ...FaceEngine.fromConfig({ ...config, detectFine: 'off' }).options, ...settings }),
    run: (engine, bytes) => engine.photoFaces(bytes),
  });
  const single = { ...make(BEFORE_FINE_VARIANT, {}), run: (engine: FaceEngine, bytes: Buffer) => engine.singlePassFaces(bytes) };
  const all = [
    single,
    make(DEFAULT_FINE_VARIANT, { detectFine: 'windows' }),
    make(PREVIOUS_FINE_VARIANT, { detectFine: 'windows', proposeDetector: { minConfidence: 0.05 } }),
    make(UNGATED_FINE_VARIANT, { detectFine: 'windows', wholeGate: 0, proposeScale: 0.7, proposeDetector: { minConfidence: 0.05 } }),
    make('windows gated x0.85 c0.005', { detectFine: 'windows', proposeDetector: { minConfidence: 0.005 } }),
  ];
  return quick ? all.slice(0, 3) : all;
}

interface Person {
  identity: string;
  profile: Float32Array;
  /** Photos other than the profile's, with their face. */
  photos: Array<{ file: string; bytes: Buffer; face: FaceBox }>;
}

/** Each person's profile and up to `perPerson` photos (only as many are read: the folder may be large). */
async function people(engine: FaceEngine, dir: string, photoCount: number): Promise<Person[]> {
  const byIdentity = new Map<string, string[]>();
  for (const { identity, file } of listImages(dir)) byIdentity.set(identity, [...(byIdentity.get(identity) ?? []), file]);
  const perPerson = Math.ceil(photoCount / Math.max(1, byIdentity.size));
  const found: Person[] = [];
  for (const [identity, files] of byIdentity) {
    let profile: Float32Array | undefined;
    const photos: Person['photos'] = [];
    for (const file of files) {
      if (photos.length >= perPerson) break;
      const bytes = readFileSync(file);
      const faces = await engine.photoFaces(bytes).catch(() => undefined);
      // A tight crop (bbt_*) fills the frame, too tight for the photo pass: the profile path (padded) boxes its face.
      const face = (faces && largest(faces.faces)?.box) ?? (faces ? await engine.profileFace(bytes).then((f) => f.box, () => undefined) : undefined);
      if (!face || !faces) continue;
      if (!profile) {
        profile = await engine.profileDescriptor(await profileCrop(bytes, face, faces.width, faces.height, 400)).catch(() => undefined);
        continue;
      }
      photos.push({ file, bytes, face });
    }
    if (profile && photos.length > 0) found.push({ identity, profile, photos });
  }
  return found;
}

/** A person's group in the folder, the prefix of its name: fr (real photos) or bbt (tight crops of a face). */
const kindOf = (person: Person): string => person.identity.split('_')[0]!;

/**
 * Round-robin over people, alternating the folder's groups (fr_*: real photos, bbt_*: tight crops), so a small
 * sample still spans many people of each kind.
 */
function sample(all: Person[], count: number): Array<{ person: Person; photo: Person['photos'][number] }> {
  const groups = [...new Set(all.map(kindOf))];
  const rank = new Map(all.map((p) => [p, all.filter((q) => kindOf(q) === kindOf(p)).indexOf(p)]));
  const mixed = [...all].sort((a, b) => rank.get(a)! - rank.get(b)! || groups.indexOf(kindOf(a)) - groups.indexOf(kindOf(b)));
  const picked: Array<{ person: Person; photo: Person['photos'][number] }> = [];
  for (let round = 0; picked.length < count; round++) {
    const before = picked.length;
    for (const person of mixed) {
      const photo = person.photos[round];
      if (photo && picked.length < count) picked.push({ person, photo });
    }
    if (picked.length === before) break;
  }
  return picked;
}

interface Cell {
  photos: number;
  matched: number;
  /** Matched as sure or maybe. */
  maybe: number;
  strangerPairs: number;
  falseMatches: number;
  detected: number;
  falseDetections: number;
  /** Detector passes, summed: the cascade's vary with what its Tiny pass sees. */
  passes: number;
  ms: number[];
  /** The photos whose face was not matched (sure or maybe), and why: not found, or the distance it was found at. */
  misses: string[];
  /** Photos and sure + maybe matches by the folder's group (fr_*: real photos, bbt_*: tight crops of a face). */
  byKind: Record<string, { photos: number; maybe: number }>;
}

const emptyCell = (): Cell => ({ photos: 0, matched: 0, maybe: 0, strangerPairs: 0, falseMatches: 0, detected: 0, falseDetections: 0, passes: 0, ms: [], misses: [], byKind: {} });
const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '—');

export async function benchStage(options: { dir: string | undefined; photos: number; skip?: number; quick: boolean; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const dir = options.dir ?? DEFAULT_FACES_DIR;
  if (!existsSync(dir)) throw new Error(`no labelled faces at ${dir}: give a folder of identity/photo images, e.g. findme bench stage ./faces`);
  const m = machine();
  const engines = variants(options.quick);
  const threshold = DEFAULTS.matchThreshold;
  const maybeThreshold = DEFAULTS.maybeThreshold;
  // The folder's own photos have large faces: the whole-photo pass finds them (no fine pass needed).
  const skip = options.skip ?? 0;
  const everyone = await people(new FaceEngine({ ...engines[1]!.engine.options, detectFine: 'off' }), dir, skip + options.photos);
  // --skip: the photos after those a smaller run sampled (held out from the choice of the defaults).
  const picked = sample(everyone, skip + options.photos).slice(skip);
  if (picked.length === 0) throw new Error(`no photos left in ${dir} after skipping ${skip}`);
  const sizes = options.quick ? [32, 64] : [...STAGE_SIZES];
  log(`${picked.length} photos${skip ? ` (after the first ${skip})` : ''} of ${new Set(picked.map((p) => p.person.identity)).size} people from ${dir} (profiles: another photo of each, 400 px; strangers: the other ${everyone.length - 1} profiles)`);
  log(`sampled: ${picked.map((p) => p.photo.file.slice(dir.length + 1)).join(', ')}`);
  log(`faces ${sizes.join(', ')} px in ${SCENES[0].width}×${SCENES[0].height}; ${sizes.join(', ')} px in ${SCENES[1].width}×${SCENES[1].height} for every fourth photo; variants: ${engines.map((e) => (e.scene ? `${e.name} (${e.scene} only)` : e.name)).join(', ')}`);
  log(`load ${m.loadStart} (uptime), ${m.cpu} × ${m.cores}`);
  for (const v of engines) await v.engine.ready();
  const cells = new Map<string, Cell>();
  const cell = (scene: string, size: number, variant: string) => {
    const key = `${scene}|${size}|${variant}`;
    if (!cells.has(key)) cells.set(key, emptyCell());
    return cells.get(key)!;
  };
  let done = 0;
  for (const [i, { person, photo }] of picked.entries()) {
    for (const scene of SCENES) {
      if (scene === SCENES[1] && i % 4 !== 0) continue;
      const sceneName = `${scene.width}x${scene.height}`;
      for (const size of sizes) {
        const at = { x: Math.round(scene.width * (0.2 + 0.6 * ((i * 37) % 100) / 100)), y: Math.round(scene.height * (0.25 + 0.5 * ((i * 53) % 100) / 100)) };
        const composite = await stagePhoto([{ photo: photo.bytes, face: photo.face, faceWidth: size, at }], scene.width, scene.height, i);
        // Interleaved, and the order rotated per photo, so load spikes fall on every variant alike.
        const here = engines.filter((v) => v.scene === undefined || v.scene === sceneName);
        const order = here.map((_, k) => here[(k + i) % here.length]!);
        for (const v of order) {
          const [start, passes] = [performance.now(), detectorPasses()];
          const found = await v.run(v.engine, composite.jpeg);
          const c = cell(sceneName, size, v.name);
          c.ms.push(performance.now() - start);
          c.passes += detectorPasses() - passes;
          c.photos += 1;
          const hit = matchFaces(found.faces.map((f) => f.box), composite.boxes, 0.2);
          c.detected += hit.hits;
          c.falseDetections += hit.extra;
          const nearest = Math.min(...found.faces.map((f) => euclideanDistance(person.profile, f.descriptor)));
          const kind = (c.byKind[kindOf(person)] ??= { photos: 0, maybe: 0 });
          kind.photos += 1;
          if (nearest <= threshold) c.matched += 1;
          if (nearest <= maybeThreshold) {
            c.maybe += 1;
            kind.maybe += 1;
          } else c.misses.push(`${photo.file.slice(dir.length + 1)} (${hit.hits > 0 ? `found, nearest ${nearest.toFixed(3)}` : 'not found'})`);
          for (const stranger of everyone) {
            if (stranger === person) continue;
            c.strangerPairs += 1;
            if (found.faces.some((f) => euclideanDistance(stranger.profile, f.descriptor) <= threshold)) c.falseMatches += 1;
          }
        }
      }
    }
    done += 1;
    log(`  ${done}/${picked.length}`);
  }
  const report: Record<string, Record<string, Record<string, { photos: number; tpr: number; tprMaybe: number; falseMatchRate: number; detected: number; falseDetections: number; passes: number; ms: ReturnType<typeof summarize>; vsBefore: number; byKind: Cell['byKind']; missed: string[] }>>> = {};
  for (const scene of SCENES) {
    const sceneName = `${scene.width}x${scene.height}`;
    const rows: string[][] = [];
    report[sceneName] = {};
    for (const size of sizes) {
      report[sceneName][size] = {};
      const base = summarize(cell(sceneName, size, engines[0]!.name).ms).median;
      for (const v of engines) {
        const c = cell(sceneName, size, v.name);
        if (c.photos === 0) continue;
        const ms = summarize(c.ms);
        report[sceneName][size][v.name] = { photos: c.photos, tpr: c.matched / c.photos, tprMaybe: c.maybe / c.photos, falseMatchRate: c.falseMatches / Math.max(1, c.strangerPairs), detected: c.detected / c.photos, falseDetections: c.falseDetections, passes: c.passes / c.photos, ms, vsBefore: ms.median / base, byKind: c.byKind, missed: c.misses };
        rows.push([`${size} px`, v.name, String(c.photos), pct(c.matched, c.photos), pct(c.maybe, c.photos), pct(c.falseMatches, c.strangerPairs), pct(c.detected, c.photos), String(c.falseDetections), (c.passes / c.photos).toFixed(1), `${Math.round(ms.median)}`, `${(ms.median / base).toFixed(2)}×`]);
      }
    }
    if (rows.length === 0) continue;
    log('');
    log(`${sceneName}, threshold ${threshold} (sure), ${maybeThreshold} (maybe):`);
    log(table(['face', 'engine', 'photos', 'TPR', 'TPR +maybe', 'false matches', 'found', 'false det.', 'passes', 'ms/photo', 'vs before'], rows));
    // What a re-runner looks at next: how each kind of photo fared, and which photos the default missed.
    for (const size of sizes) {
      const c = cell(sceneName, size, DEFAULT_FINE_VARIANT);
      if (c.photos === 0) continue;
      const groups = Object.entries(c.byKind).map(([group, g]) => `${group}_* ${g.maybe}/${g.photos}`).join(', ');
      log(`  ${DEFAULT_FINE_VARIANT} at ${size} px, sure + maybe by kind: ${groups}${c.misses.length === 0 ? '' : c.misses.length === c.photos ? '; missed: all' : `; missed: ${c.misses.join(', ')}`}`);
    }
  }
  const done2 = finish(m);
  log(`machine: ${describe(done2)}`);
  const result = { benchmark: 'stage', machine: done2, dir, skip, threshold, maybeThreshold, photos: picked.map((p) => p.photo.file.slice(dir.length + 1)), strangers: everyone.length - 1, sizes, variants: engines.map((e) => ({ name: e.name, signature: e.engine.signature })), results: report };
  if (!options.quick) {
    const name = skip ? 'stage-heldout' : 'stage';
    saveResult(name, result);
    saveChart(name, stageChart(result, `${SCENES[0].width}x${SCENES[0].height}`));
  }
  return result;
}

type StageReport = Record<string, Record<string, Record<string, { tpr: number; tprMaybe: number }>>>;

/**
 * The chart of a stage result (its JSON, so a chart can be redrawn from a committed result): TPR against face
 * width in one scene, sure + maybe for every variant (what the targets are measured on) and sure alone for the
 * default.
 */
export function stageChart(result: { threshold: number; maybeThreshold: number; sizes: readonly number[]; variants: ReadonlyArray<{ name: string }>; results: StageReport }, scene: string): string {
  const cells = result.results[scene] ?? {};
  const shown = result.variants.map((v) => v.name).filter((name) => Object.values(cells).some((row) => row[name]));
  const points = (name: string, key: 'tpr' | 'tprMaybe') => result.sizes.map((s): [number, number] => [s, 100 * (cells[s]?.[name]?.[key] ?? 0)]);
  const series = [
    ...shown.map((name) => ({ name: `${name} +maybe`, points: points(name, 'tprMaybe') })),
    ...shown.filter((name) => name === DEFAULT_FINE_VARIANT).map((name) => ({ name: `${name} sure`, points: points(name, 'tpr') })),
  ];
  return lines(`TPR against face width, ${scene} photos (sure ≤ ${result.threshold}, maybe ≤ ${result.maybeThreshold})`, 'face width (px)', 'TPR (%)', series, { y: 90, label: 'target at 48 px: 90 % (64 px: 97 %)' });
}
