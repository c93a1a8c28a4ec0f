/**
 * `findme bench detectors [--quick]`: SSD MobileNet v1 and the Tiny Face Detector at several input sizes and
 * shrink limits (FINDME_DETECT_MAX_SIDE), on the six demo photos, warm: time per photo for the whole chain and
 * for the detector alone, faces found against a reference (SSD on the full-size photos, matched by box overlap),
 * detections that match no reference face, and how far each face's descriptor moves from its full-size one.
 * Then the other ways to a faster compare: Tiny first with SSD only where needed, the cost of building the input
 * tensor (what reusing it could save), tensors left behind (dispose discipline), and each detector's peak memory
 * in a fresh process.
 */
import { faceConfig } from '../actions/lib/config';
import { faceRuntime, type FaceRuntime } from '../actions/lib/face/backend';
import { decodeImage, type DecodedImage } from '../actions/lib/face/decode';
import { netsFor, type DetectorOptions } from '../actions/lib/face/detect';
import { euclideanDistance } from '../actions/lib/face/distance';
import { FaceEngine } from '../actions/lib/face/engine';
import { defaultWeightsDir, ensureModels } from '../actions/lib/face/models';
import type { FaceBox } from '../actions/lib/types';
import { DEMO_USERS, renderDemoPicture } from '../local/standins/demo';
import { matchFaces } from './boxes';
import { coldProcess } from './cold';
import { facelessCrops } from './faceless';
import { cascade, detectOnly, fullChain, timed, type Found } from './detector-runs';
import { DEMO_PHOTOS, readDemoPhotos } from './demo-photos';
import { describe, finish, machine } from './machine';
import { saveResult } from './results';
import { summarize, table } from './stats';

interface Setting {
  detector: DetectorOptions;
  maxSide: number;
}

const ssd = (maxSide: number): Setting => ({ detector: { detector: 'ssd', inputSize: 416, minConfidence: 0.5 }, maxSide });
const tiny = (inputSize: number, maxSide: number): Setting => ({ detector: { detector: 'tiny', inputSize, minConfidence: 0.5 }, maxSide });
const label = (s: Setting) => (s.detector.detector === 'ssd' ? 'SSD MobileNet v1' : `Tiny, input ${s.detector.inputSize}`);

export interface DetectorRow {
  name: string;
  maxSide: number;
  /** Reference faces found, and detections matching none. */
  hits: number;
  extra: number;
  perPhoto: number[];
  decodeMs: number;
  detectorMs: number;
  chainMs: ReturnType<typeof summarize>;
  /** Median distance of each found face's descriptor from its full-size reference descriptor. */
  descriptorDrift: number;
  /** Each demo user's distance from their own face in their photo (lower: a surer match); Infinity if missed. */
  ownFace: number[];
}

/** The demo users' profile pictures (faces of sample1 and sample3), and which photo each comes from. */
async function demoProfiles(engine: FaceEngine): Promise<Array<{ name: string; photo: number; crop: { left: number; top: number; size: number }; descriptor: Float32Array }>> {
  return Promise.all(
    DEMO_USERS.map(async (user) => ({
      name: user.username,
      photo: user.crop.photo - 1,
      crop: user.crop,
      descriptor: await engine.profileDescriptor(await renderDemoPicture(user.crop)),
    })),
  );
}

type Profiles = Awaited<ReturnType<typeof demoProfiles>>;

async function measure(runtime: FaceRuntime, photos: Buffer[], setting: Setting, reference: Found[], profiles: Profiles, passes: number, maxPixels: number): Promise<DetectorRow> {
  // One at a time: decoding in parallel would time libvips sharing the cores.
  const decodes = [];
  for (const p of photos) decodes.push(await timed(() => decodeImage(p, { maxPixels, maxSide: setting.maxSide, pad: 0 })));
  const images = decodes.map((d) => d.value);
  await fullChain(runtime, images[0]!, setting.detector); // this detector's first inference is a cold start's cost
  const chain: number[] = [];
  let found: Found[] = [];
  for (let pass = 0; pass < passes; pass++) {
    found = [];
    for (const image of images) {
      const { value, ms } = await timed(() => fullChain(runtime, image, setting.detector));
      found.push(value);
      chain.push(ms);
    }
  }
  const detector: number[] = [];
  for (const image of images) detector.push((await timed(() => detectOnly(runtime, image, setting.detector))).ms);
  let hits = 0;
  let extra = 0;
  const drift: number[] = [];
  found.forEach((f, i) => {
    const match = matchFaces(f.boxes, reference[i]!.boxes);
    hits += match.hits;
    extra += match.extra;
    for (const [a, b] of match.pairs) drift.push(euclideanDistance(f.descriptors[a]!, reference[i]!.descriptors[b]!));
  });
  return {
    name: label(setting),
    maxSide: setting.maxSide,
    hits,
    extra,
    perPhoto: found.map((f) => f.boxes.length),
    decodeMs: summarize(decodes.map((d) => d.ms)).median,
    detectorMs: summarize(detector).median,
    chainMs: summarize(chain),
    descriptorDrift: summarize(drift).median,
    // Only a face inside the square the picture was cropped from is the user's own.
    ownFace: profiles.map((p) => {
      const f = found[p.photo]!;
      const inside = (b: FaceBox) => b.x + b.width / 2 >= p.crop.left && b.x + b.width / 2 <= p.crop.left + p.crop.size && b.y + b.height / 2 >= p.crop.top && b.y + b.height / 2 <= p.crop.top + p.crop.size;
      return Math.min(...f.descriptors.filter((_, i) => inside(f.boxes[i]!)).map((d) => euclideanDistance(p.descriptor, d)));
    }),
  };
}

/** Tiny first, SSD where Tiny saw a face: on the demo photos (all with faces) and on faceless crops of them. */
async function measureCascade(runtime: FaceRuntime, images: DecodedImage[], faceless: DecodedImage[], tinyOptions: DetectorOptions, ssdOptions: DetectorOptions, reference: Found[]) {
  const run = async (set: DecodedImage[]) => {
    const ms: number[] = [];
    const out: Array<Found & { ssdRan: boolean }> = [];
    for (const image of set) {
      const { value, ms: t } = await timed(() => cascade(runtime, image, tinyOptions, ssdOptions));
      out.push(value);
      ms.push(t);
    }
    return { ms: summarize(ms).median, out };
  };
  const faces = await run(images);
  const none = await run(faceless);
  const ssdOnFaceless: number[] = [];
  for (const image of faceless) ssdOnFaceless.push((await timed(() => fullChain(runtime, image, ssdOptions))).ms);
  return {
    tinyInput: tinyOptions.inputSize,
    withFacesMs: faces.ms,
    hits: faces.out.reduce((n, f, i) => n + matchFaces(f.boxes, reference[i]!.boxes).hits, 0),
    photosSkipped: faces.out.filter((f) => !f.ssdRan).length,
    facelessMs: none.ms,
    facelessSkipped: none.out.filter((f) => !f.ssdRan).length,
    facelessSsdMs: summarize(ssdOnFaceless).median,
  };
}

/** Building the detector's input tensor from decoded pixels, and disposing it: all that reusing it could save. */
function inputTensorMs(runtime: FaceRuntime, images: DecodedImage[]): number {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    for (const image of images) {
      const start = performance.now();
      runtime.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32').dispose();
      ms.push(performance.now() - start);
    }
  }
  return summarize(ms).median;
}

export async function benchDetectors(options: { quick: boolean; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const m = machine();
  const config = faceConfig({});
  const runtime = await faceRuntime(config.tfBackend);
  await ensureModels(runtime, config.weightsDir ?? defaultWeightsDir(), [...new Set([...netsFor('ssd'), ...netsFor('tiny')])]);
  const profiles = await demoProfiles(FaceEngine.fromConfig(config));
  const tensorsBefore = runtime.tf.memory().numTensors;
  const photos = await readDemoPhotos();
  const settings: Setting[] = options.quick
    ? [ssd(640), tiny(416, 640)]
    : [ssd(1920), ssd(960), ssd(800), ssd(640), ssd(480), ssd(320), tiny(608, 960), tiny(416, 960), tiny(608, 640), tiny(512, 640), tiny(416, 640), tiny(320, 640), tiny(224, 640)];
  const passes = options.quick ? 1 : 2;

  // The reference: every face SSD finds in the full-size photos, with its descriptor.
  const full = await Promise.all(photos.map((p) => decodeImage(p, { maxPixels: config.maxImagePixels, maxSide: 4096, pad: 0 })));
  const reference: Found[] = [];
  for (const image of full) reference.push(await fullChain(runtime, image, ssd(4096).detector));
  const total = reference.reduce((n, r) => n + r.boxes.length, 0);
  log(`reference: SSD on the full-size photos finds ${reference.map((r) => r.boxes.length).join(' ')} faces (${total})`);

  const rows: DetectorRow[] = [];
  for (const setting of settings) {
    const row = await measure(runtime, photos, setting, reference, profiles, passes, config.maxImagePixels);
    rows.push(row);
    log(`${row.name} @ ${row.maxSide} px: ${row.hits}/${total} faces (+${row.extra}), ${Math.round(row.chainMs.median)} ms/photo, detector ${Math.round(row.detectorMs)} ms`);
  }

  log('the other ways: Tiny first then SSD, input tensors, dispose discipline, memory by detector…');
  const images = await Promise.all(photos.map((p) => decodeImage(p, { maxPixels: config.maxImagePixels, maxSide: config.detectMaxSide, pad: 0 })));
  const faceless = await facelessCrops(photos, reference, config.detectMaxSide);
  const cascades = [];
  for (const input of options.quick ? [416] : [320, 416]) cascades.push(await measureCascade(runtime, images, faceless, tiny(input, 640).detector, ssd(640).detector, reference));
  const tensorMs = inputTensorMs(runtime, images);
  const tensorsAfter = runtime.tf.memory().numTensors;
  // Peak memory is per process: a fresh one per detector, each comparing all six photos.
  const memory = [];
  for (const setting of options.quick ? [] : [ssd(640), tiny(416, 640), tiny(320, 640)]) {
    const run = await coldProcess(DEMO_PHOTOS, setting.detector);
    memory.push({ name: label(setting), maxSide: setting.maxSide, peakRssMb: run.peakRssBytes / 2 ** 20 });
  }

  log('');
  log(`Detection + landmarks + descriptors per photo, warm, backend ${runtime.backend}, one thread; faces against the ${total} SSD finds at full size (${reference.map((r) => r.boxes.length).join(' ')})`);
  log(
    table(
      ['detector', 'max side', 'faces found', 'not in reference', 'per photo', 'decode ms', 'detector ms', 'whole chain ms (p10–p90)', 'descriptor drift', `${profiles.map((p) => p.name).join(' / ')} own face`],
      rows.map((r) => [
        r.name,
        String(r.maxSide),
        `${r.hits}/${total}`,
        String(r.extra),
        r.perPhoto.join(' '),
        String(Math.round(r.decodeMs)),
        String(Math.round(r.detectorMs)),
        `${Math.round(r.chainMs.median)} (${Math.round(r.chainMs.p10)}–${Math.round(r.chainMs.p90)})`,
        r.descriptorDrift.toFixed(3),
        r.ownFace.map((d) => (Number.isFinite(d) ? d.toFixed(3) : 'missed')).join(' / '),
      ]),
    ),
  );
  log('');
  log(`Tiny first, SSD only where Tiny sees a face (demo photos: all have faces; faceless: ${faceless.length} crops of them below every face)`);
  log(
    table(
      ['cascade', 'ms/photo with faces', 'faces found', 'ms/faceless photo', 'faceless skipped', 'SSD alone on faceless'],
      cascades.map((c) => [`Tiny ${c.tinyInput} → SSD`, String(Math.round(c.withFacesMs)), `${c.hits}/${total}`, String(Math.round(c.facelessMs)), `${c.facelessSkipped}/${faceless.length}`, `${Math.round(c.facelessSsdMs)} ms`]),
    ),
  );
  log(`input tensor from decoded pixels (create + dispose): ${tensorMs.toFixed(1)} ms a photo; tensors alive before/after all runs: ${tensorsBefore}/${tensorsAfter}${tensorsBefore === tensorsAfter ? ' (nothing leaked)' : ' (LEAK)'}`);
  if (memory.length > 0) log(`peak memory of a fresh process comparing the six photos: ${memory.map((x) => `${x.name} ${Math.round(x.peakRssMb)} MB`).join(', ')}`);
  log(`machine: ${describe(finish(m))}`);
  const result = { benchmark: 'detectors', machine: finish(m), backend: runtime.backend, reference: reference.map((r) => r.boxes.length), rows, cascades, inputTensorMs: tensorMs, tensors: { before: tensorsBefore, after: tensorsAfter }, memory };
  if (!options.quick) saveResult('detectors', result);
  return result;
}
