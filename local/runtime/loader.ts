/**
 * Loads an action's code as the OpenWhisk nodejs runtime does: a base64 zip (`binary: true`) is unpacked into a
 * fresh temp dir, which becomes the working directory, and required (its package.json `main`, or index.js);
 * plain code is evaluated as a CommonJS module whose `main` (or `module.exports.main`) is the handler.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import vm from 'node:vm';
import JSZip from 'jszip';

export type Handler = (params: Record<string, unknown>) => unknown;

export interface InitMessage {
  name?: string;
  main: string;
  code: string;
  binary?: boolean;
  env?: Record<string, unknown>;
}

async function unzipInTmpDir(base64: string): Promise<string> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(Buffer.from(base64, 'base64'));
  } catch {
    throw new Error('There was an error uncompressing the action archive. The file type is unsupported');
  }
  const dir = mkdtempSync(join(tmpdir(), 'action-'));
  for (const entry of Object.values(zip.files)) {
    const target = resolve(dir, entry.name);
    // A crafted archive must not write outside its directory.
    if (!target.startsWith(dir + sep)) throw new Error(`There was an error uncompressing the action Zip archive: ${entry.name} escapes it.`);
    if (entry.dir) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, await entry.async('nodebuffer'));
  }
  return dir;
}

function assertFunction(handler: unknown, main: string): Handler {
  if (typeof handler !== 'function') throw new Error(`Action entrypoint '${main}' is not a function.`);
  return handler as Handler;
}

async function loadZip(message: InitMessage): Promise<Handler> {
  const dir = await unzipInTmpDir(message.code);
  // "index.main" names a file and an export; "main" an export of package.json's main or index.js.
  const parts = /^([^.]+)\.(.+)$/.exec(message.main);
  const [file, main] = parts ? [parts[1], parts[2]!] : [undefined, message.main];
  process.chdir(dir);
  const requireHere = createRequire(join(dir, 'noop.js'));
  const module = requireHere(file === undefined ? dir : join(dir, file)) as Record<string, unknown>;
  return assertFunction(module[main], message.main);
}

function loadPlainCode(message: InitMessage): Handler {
  const filename = join(process.cwd(), `${message.name ?? 'action'}.js`);
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {\n${message.code}\n;return typeof ${message.main} === 'function' ? ${message.main} : undefined;\n})`, { filename });
  let handler: unknown;
  try {
    handler = wrapper(module.exports, createRequire(filename), module, filename, dirname(filename));
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
  }
  return assertFunction(handler ?? module.exports[message.main], message.main);
}

export function loadAction(message: InitMessage): Promise<Handler> {
  return message.binary ? loadZip(message) : Promise.resolve().then(() => loadPlainCode(message));
}
