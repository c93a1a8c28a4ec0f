/**
 * `findme match <profile-image> [--also <image>]... <photo-or-url>...`: the face engine in this process, no Redis,
 * no platform. The profile and each --also image are the reference faces; a face's distance to you is to the
 * nearest of them, as searches measure it. One JSON line per photo on stdout (`match`: sure; `maybe`: in the
 * maybe band, not sure), then a summary line naming both thresholds; exit 1 when any photo could not be compared.
 */
import { faceConfig, TF_BACKENDS, type TfBackendName } from '../../actions/lib/config';
import { errorMessage } from '../../actions/lib/errors';
import { bandFor, userDistance } from '../../actions/lib/face/bands';
import { FaceEngine } from '../../actions/lib/face/engine';
import { PhotoError, ProfileError } from '../../actions/lib/face/errors';
import { readImageSource } from '../../actions/lib/face/image-file';
import type { FaceBox } from '../../actions/lib/types';
import { profileDescriptorOf } from '../profile';
import { UsageError, type ParsedArgs } from '../usage';

export interface PhotoLine {
  photo: string;
  faces?: Array<{ box: FaceBox; distance: number }>;
  /** The photo's closest face is a sure match. */
  match?: boolean;
  /** The photo's closest face is in the maybe band (and not sure). */
  maybe?: boolean;
  error?: string;
}

export interface SummaryLine {
  summary: {
    photos: number;
    matched: number;
    maybe: number;
    failed: number;
    /** The sure threshold (kept under this name from before bands). */
    threshold: number;
    maybeThreshold: number;
    references: number;
    backend: string;
  };
}

function thresholdFlag(args: ParsedArgs): number | undefined {
  const raw = args.values.threshold;
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !(value >= 0.1 && value <= 1.5)) {
    throw new UsageError(`--threshold must be a number from 0.1 to 1.5, got "${String(raw)}"`, 'match');
  }
  return value;
}

function backendFlag(args: ParsedArgs): TfBackendName | undefined {
  const raw = args.values.backend;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(TF_BACKENDS as readonly string[]).includes(raw)) {
    throw new UsageError(`--backend must be one of ${TF_BACKENDS.join(', ')}, got "${String(raw)}"`, 'match');
  }
  return raw as TfBackendName;
}

function hostsFlag(args: ParsedArgs): string[] {
  const raw = args.values['allow-host'];
  const hosts = (Array.isArray(raw) ? raw : []).map((h) => String(h).trim().toLowerCase());
  for (const host of hosts) {
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(host)) throw new UsageError(`--allow-host must be a host name (optionally with :port), got "${host}"`, 'match');
  }
  return hosts;
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

export async function run(args: ParsedArgs): Promise<number> {
  const [profileSource, ...photos] = args.positionals;
  if (profileSource === undefined || photos.length === 0) throw new UsageError('give a profile image and at least one photo (file or URL)', 'match');
  const config = faceConfig({});
  const threshold = thresholdFlag(args) ?? config.matchThreshold;
  // The maybe band starts at the sure threshold, however --threshold moved it.
  const maybeThreshold = Math.max(config.maybeThreshold, threshold);
  const engine = FaceEngine.fromConfig({
    ...config,
    tfBackend: backendFlag(args) ?? config.tfBackend,
    imageHosts: [...config.imageHosts, ...hostsFlag(args)],
  });
  const runtime = await engine.ready();
  const also = args.values.also;
  const references: Float32Array[] = [];
  references.push(await profileDescriptorOf(engine, profileSource));
  for (const source of Array.isArray(also) ? also.map(String) : []) {
    try {
      references.push(await profileDescriptorOf(engine, source));
    } catch (error) {
      // Named by its flag and file: "profile picture" would point at the wrong image.
      if (error instanceof ProfileError) throw new Error(`--also ${source}: ${error.reason}`);
      throw error;
    }
  }
  let matched = 0;
  let maybe = 0;
  let failed = 0;
  for (const photo of photos) {
    let line: PhotoLine;
    try {
      const found = await engine.photoFaces(await readImageSource(engine, photo));
      const faces = found.faces.map((face) => ({ box: face.box, distance: round(userDistance(references, face.descriptor)) }));
      const best = Math.min(...faces.map((f) => f.distance));
      const band = bandFor(best, { matchThreshold: threshold, maybeThreshold });
      line = { photo, faces, match: band === 'match', maybe: band === 'maybe' };
      if (band === 'match') matched += 1;
      if (band === 'maybe') maybe += 1;
    } catch (error) {
      if (!(error instanceof PhotoError)) throw error;
      line = { photo, error: errorMessage(error) };
      failed += 1;
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  const summary: SummaryLine = { summary: { photos: photos.length, matched, maybe, failed, threshold, maybeThreshold, references: references.length, backend: runtime.backend } };
  process.stdout.write(JSON.stringify(summary) + '\n');
  return failed > 0 ? 1 : 0;
}
