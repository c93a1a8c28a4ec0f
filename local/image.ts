/**
 * What the compare_images Docker image (docker/Dockerfile) sets up beyond the stock OpenWhisk nodejs runtime,
 * and how the local platform reproduces it for actions declared with `image:`. A test keeps the Dockerfile's
 * ENV lines and this table in agreement.
 */
import { join } from 'node:path';

/** The Dockerfile's ENV, exactly. */
export const IMAGE_ENV = Object.freeze({
  FINDME_WEIGHTS_DIR: '/opt/findme/weights',
  FINDME_TF_BACKEND: 'tensorflow',
  MALLOC_ARENA_MAX: '2',
  VIPS_CONCURRENCY: '1',
  NODE_OPTIONS: '--max-semi-space-size=2',
});

/**
 * The same environment on this machine. The image installs its modules into `/node_modules`, as the stock
 * runtime does with its own, so a zipped action unpacked anywhere under `/` resolves them by Node's parent-folder
 * walk; here NODE_PATH points at the project's node_modules to the same effect. FINDME_TF_BACKEND is left unset:
 * tfjs-node is not installed here, and the engine falls back to wasm as it would in an image without it.
 */
export function localImageEnv(projectRoot: string): Record<string, string> {
  return {
    FINDME_WEIGHTS_DIR: join(projectRoot, 'weights'),
    NODE_PATH: join(projectRoot, 'node_modules'),
    // As the image sets it: glibc's per-thread malloc arenas keep what libvips' threads freed (sharp's docs
    // advise the same); two arenas took 10–30 MB off a compare_images container's peak (test/compare-memory).
    MALLOC_ARENA_MAX: IMAGE_ENV.MALLOC_ARENA_MAX,
    // One libvips thread and small V8 semi-spaces: 25–45 MB off the worst peaks (test/compare-memory, 2026-12-06).
    VIPS_CONCURRENCY: IMAGE_ENV.VIPS_CONCURRENCY,
    NODE_OPTIONS: IMAGE_ENV.NODE_OPTIONS,
  };
}
