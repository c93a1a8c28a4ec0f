/**
 * Fills weights/ from the face-api package's model/ folder, checking every file against the SHA-256 manifest
 * committed in weights/manifest.json. Nothing is downloaded: a changed or missing file is an error naming it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

export interface WeightsManifest {
  source: string;
  files: Record<string, string>;
}

export class WeightsError extends Error {
  override readonly name = 'WeightsError';
}

export const PROJECT_ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
export const WEIGHTS_DIR = join(PROJECT_ROOT, 'weights');

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function readManifest(weightsDir = WEIGHTS_DIR): WeightsManifest {
  const path = join(weightsDir, 'manifest.json');
  if (!existsSync(path)) throw new WeightsError(`${path} is missing; restore it with \`git checkout weights/manifest.json\``);
  return JSON.parse(readFileSync(path, 'utf8')) as WeightsManifest;
}

/** The face-api package's model/ folder, as installed. */
export function packageModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/**
 * Makes weights/ hold exactly the manifest's files with the manifest's hashes. A present file with the wrong
 * hash is an error (never silently overwritten: someone changed it); a missing one is copied from the package,
 * whose copy must match too. Returns the files it copied.
 */
export function syncWeights(weightsDir = WEIGHTS_DIR, sourceDir = packageModelDir()): string[] {
  const manifest = readManifest(weightsDir);
  mkdirSync(weightsDir, { recursive: true });
  const copied: string[] = [];
  for (const [name, expected] of Object.entries(manifest.files)) {
    const target = join(weightsDir, name);
    const shown = relative(process.cwd(), target) || target;
    if (existsSync(target)) {
      const actual = sha256(target);
      if (actual !== expected) {
        throw new WeightsError(
          `${shown} has SHA-256 ${actual}, but weights/manifest.json expects ${expected}. ` +
            `Delete it and build again to restore it from ${manifest.source}.`,
        );
      }
      continue;
    }
    const source = join(sourceDir, name);
    if (!existsSync(source)) throw new WeightsError(`${source} is missing: is ${manifest.source} installed (npm ci)?`);
    const actual = sha256(source);
    if (actual !== expected) {
      throw new WeightsError(`${source} has SHA-256 ${actual}, but weights/manifest.json expects ${expected} for ${name}.`);
    }
    copyFileSync(source, target);
    copied.push(name);
  }
  return copied;
}
