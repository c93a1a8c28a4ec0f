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
  // Zipped actions are unpacked in a temp dir; this is how they find the modules the image installs.
  NODE_PATH: '/nodejsAction/node_modules',
});

/**
 * The same environment on this machine: the project's own weights and node_modules. FINDME_TF_BACKEND is left
 * unset, because tfjs-node is not installed here: the engine falls back to wasm as it would in an image without it.
 */
export function localImageEnv(projectRoot: string): Record<string, string> {
  return {
    FINDME_WEIGHTS_DIR: join(projectRoot, 'weights'),
    NODE_PATH: join(projectRoot, 'node_modules'),
  };
}
