/**
 * `findme match <profile-image> <photo-or-url>...`: the face engine in this process, no Redis, no platform.
 * One JSON line per photo on stdout, then a summary line; exit 1 when any photo could not be compared.
 */
import { faceConfig, TF_BACKENDS, type TfBackendName } from '../../actions/lib/config';
import { errorMessage } from '../../actions/lib/errors';
import { euclideanDistance } from '../../actions/lib/face/distance';
import { FaceEngine } from '../../actions/lib/face/engine';
import { PhotoError } from '../../actions/lib/face/errors';
import { readImageSource } from '../../actions/lib/face/image-file';
import type { FaceBox } from '../../actions/lib/types';
import { profileDescriptorOf } from '../profile';
import { UsageError, type ParsedArgs } from '../usage';

export interface PhotoLine {
  photo: string;
  faces?: Array<{ box: FaceBox; distance: number }>;
  match?: boolean;
  error?: string;
}

export interface SummaryLine {
  summary: { photos: number; matched: number; failed: number; threshold: number; backend: string };
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
  const engine = FaceEngine.fromConfig({
    ...config,
    tfBackend: backendFlag(args) ?? config.tfBackend,
    imageHosts: [...config.imageHosts, ...hostsFlag(args)],
  });
  const runtime = await engine.ready();
  const profile = await profileDescriptorOf(engine, profileSource);
  let matched = 0;
  let failed = 0;
  for (const photo of photos) {
    let line: PhotoLine;
    try {
      const found = await engine.photoFaces(await readImageSource(engine, photo));
      const faces = found.faces.map((face) => ({ box: face.box, distance: round(euclideanDistance(profile, face.descriptor)) }));
      line = { photo, faces, match: faces.some((face) => face.distance <= threshold) };
      if (line.match) matched += 1;
    } catch (error) {
      if (!(error instanceof PhotoError)) throw error;
      line = { photo, error: errorMessage(error) };
      failed += 1;
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  const summary: SummaryLine = { summary: { photos: photos.length, matched, failed, threshold, backend: runtime.backend } };
  process.stdout.write(JSON.stringify(summary) + '\n');
  return failed > 0 ? 1 : 0;
}
