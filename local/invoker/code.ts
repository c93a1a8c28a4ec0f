/**
 * The code an action is initialised with, packaged as serverless-openwhisk packages it: a zip holding the handler
 * file at its project path and a package.json whose `main` points at it, sent base64 with `binary: true`.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { ActionSpec } from '../manifest/types';

export interface ActionCode {
  code: string;
  binary: boolean;
  main: string;
}

/** The built bundle is not there: the action cannot initialise. */
export class MissingBundleError extends Error {
  override readonly name = 'MissingBundleError';
}

const cache = new Map<string, { mtimeMs: number; code: ActionCode }>();

export async function actionCode(action: ActionSpec, projectRoot: string): Promise<ActionCode> {
  const file = join(projectRoot, action.handlerFile);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    throw new MissingBundleError(`${action.handlerFile} does not exist (the bundle of ${action.name}); run \`npm run build\` to build the actions`);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.code;
  // The plugin's path inside the zip: the handler's, without leading `../`.
  const inZip = action.handlerFile.replace(/^(\.\.\/)+/, '');
  const zip = new JSZip();
  zip.file(inZip, readFileSync(file));
  zip.file('package.json', JSON.stringify({ main: inZip }));
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 1 } });
  const code: ActionCode = { code: buffer.toString('base64'), binary: true, main: action.main };
  cache.set(file, { mtimeMs, code });
  return code;
}
