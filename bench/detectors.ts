/**
 * `findme bench detectors`: SSD MobileNet v1 and the Tiny Face Detector at a few input sizes and shrink limits,
 * on the six demo photos: faces found (against the 22 that SSD finds at full size) and time per photo, warm.
 */
import { faceConfig } from '../actions/lib/config';
import { faceRuntime } from '../actions/lib/face/backend';
import { decodeImage } from '../actions/lib/face/decode';
import { detectFaces, netsFor, type DetectorOptions } from '../actions/lib/face/detect';
import { defaultWeightsDir, ensureModels } from '../actions/lib/face/models';
import { readDemoPhotos } from './demo-photos';
import { describe, finish, machine } from './machine';
import { saveResult } from './results';
import { summarize, table } from './stats';

interface Setting {
  detector: DetectorOptions;
  maxSide: number;
}

export async function benchDetectors(options: { quick: boolean; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const m = machine();
  const config = faceConfig({});
  const runtime = await faceRuntime(config.tfBackend);
  const weights = config.weightsDir ?? defaultWeightsDir();
  await ensureModels(runtime, weights, [...new Set([...netsFor('ssd'), ...netsFor('tiny')])]);
  const photos = await readDemoPhotos();
  const ssd = (maxSide: number): Setting => ({ detector: { detector: 'ssd', inputSize: 416, minConfidence: 0.5 }, maxSide });
  const tiny = (inputSize: number, maxSide: number): Setting => ({ detector: { detector: 'tiny', inputSize, minConfidence: 0.5 }, maxSide });
  const settings: Setting[] = options.quick
    ? [ssd(640), tiny(416, 640)]
    : [ssd(1920), ssd(960), ssd(640), ssd(480), tiny(608, 960), tiny(416, 640), tiny(320, 640), tiny(224, 640)];
  const passes = options.quick ? 1 : 2;
  // The reference: every face SSD finds in the full-size photos.
  const reference = await Promise.all(photos.map(async (p) => (await detectFaces(runtime, await decodeImage(p, { maxPixels: config.maxImagePixels, maxSide: 4096, pad: 0 }), ssd(4096).detector)).length));
  const total = reference.reduce((a, b) => a + b, 0);
  const rows: Array<{ name: string; maxSide: number; found: number; perPhoto: number[]; ms: ReturnType<typeof summarize> }> = [];
  for (const setting of settings) {
    const images = await Promise.all(photos.map((p) => decodeImage(p, { maxPixels: config.maxImagePixels, maxSide: setting.maxSide, pad: 0 })));
    await detectFaces(runtime, images[0]!, setting.detector); // warm this detector's first inference
    const times: number[] = [];
    let perPhoto: number[] = [];
    for (let pass = 0; pass < passes; pass++) {
      perPhoto = [];
      for (const image of images) {
        const start = performance.now();
        perPhoto.push((await detectFaces(runtime, image, setting.detector)).length);
        times.push(performance.now() - start);
      }
    }
    const name = setting.detector.detector === 'ssd' ? 'SSD MobileNet v1' : `Tiny, input ${setting.detector.inputSize}`;
    rows.push({ name, maxSide: setting.maxSide, found: perPhoto.reduce((a, b) => a + b, 0), perPhoto, ms: summarize(times) });
    log(`${name} @ ${setting.maxSide}px: ${perPhoto.join(' ')} faces, ${Math.round(summarize(times).median)} ms/photo`);
  }
  log('');
  log(`Detection + landmarks + descriptors per photo, warm, backend ${runtime.backend}; reference ${total} faces (SSD on full-size photos: ${reference.join(' ')})`);
  log(table(['detector', 'max side', 'faces found', 'per photo', 'median ms/photo'], rows.map((r) => [r.name, String(r.maxSide), `${r.found}/${total}`, r.perPhoto.join(' '), String(Math.round(r.ms.median))])));
  log(`machine: ${describe(finish(m))}`);
  const result = { benchmark: 'detectors', machine: finish(m), backend: runtime.backend, reference, rows };
  if (!options.quick) saveResult('detectors', result);
  return result;
}
