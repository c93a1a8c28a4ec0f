/**
 * Loads an action's code as the OpenWhisk nodejs runtime's runner.js does. A base64 zip (`binary: true`) is
 * unpacked into a fresh temp dir, which becomes the working directory, and required: `main` "file.fn" names a
 * file and an export, a plain "fn" an export of package.json's `main` (or index.js). Plain code is evaluated as
 * a CommonJS module; its handler is the function named `main` in its scope, else `module.exports[main]`.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import vm from 'node:vm';
import type { InitValue } from './protocol';
import { unzip, type ZipEntry } from './unzip';

export type Handler = (params: Record<string, unknown>) => unknown;


/** A failure the runtime reports by its message alone (runner.js rejects with plain strings, never a stack). */
export class InitFailure extends Error {
  override readonly name = 'InitFailure';
}

const ZIP_MAGIC = '504b0304';
const IDENTIFIER_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

function unzipInTmpDir(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  // The stock runtime also unpacks tar.gz; every archive this platform sends is a zip, as the plugin deploys.
  if (bytes.subarray(0, 4).toString('hex') !== ZIP_MAGIC) throw new InitFailure('There was an error uncompressing the action archive. The file type is unsupported');
  let entries: ZipEntry[];
  try {
    entries = unzip(bytes);
  } catch {
    throw new InitFailure('There was an error uncompressing the action Zip archive.');
  }
  const dir = mkdtempSync(join(tmpdir(), 'action-'));
  for (const entry of entries) {
    const target = resolve(dir, entry.name);
    // A crafted archive must not write outside its directory.
    if (!target.startsWith(dir + sep)) throw new InitFailure('There was an error uncompressing the action Zip archive.');
    if (entry.dir) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.data);
  }
  return dir;
}

function assertFunction(handler: unknown, main: string): Handler {
  if (typeof handler !== 'function') throw new InitFailure(`Action entrypoint '${main}' is not a function.`);
  return handler as Handler;
}

/** `a.b.c` → object.a.b.c, as the runner's `require(file).<main>` expression reads it. */
function property(object: unknown, path: string): unknown {
  let value = object;
  for (const key of path.split('.')) value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[key];
  return value;
}

function loadZip(message: InitValue): Handler {
  const dir = unzipInTmpDir(message.code);
  const split = /^([^.]+)$|^([^.]+)\.(.+)$/.exec(message.main);
  if (!split) throw new InitFailure('Name of main function is not valid.');
  const file = split[2];
  const main = split[3] ?? split[1]!;
  process.chdir(dir);
  if (file === undefined && !existsSync('package.json') && !existsSync('index.js')) {
    throw new InitFailure('Zipped actions must contain either package.json or index.js at the root.');
  }
  const requireHere = createRequire(join(dir, 'index.js'));
  const exported = requireHere(file === undefined ? dir : join(dir, file));
  return assertFunction(property(exported, main), message.main);
}

function loadPlainCode(message: InitValue): Handler {
  if (!IDENTIFIER_PATH.test(message.main)) throw new InitFailure(`Action entrypoint '${message.main}' is not a function.`);
  const filename = join(process.cwd(), 'action.js');
  const module = { exports: {} as Record<string, unknown> };
  // As runner.js: the function named main in the code's own scope, else what the code exported under that name.
  const source = `(function (exports, require, module, __filename, __dirname) {\n${message.code}\n;try { return ${message.main}; } catch (e) { if (e && e.name === 'ReferenceError') return module.exports.${message.main} || exports.${message.main}; throw e; }\n})`;
  const wrapper = vm.runInThisContext(source, { filename }) as (...args: unknown[]) => unknown;
  return assertFunction(wrapper(module.exports, createRequire(filename), module, filename, dirname(filename)), message.main);
}

export function loadAction(message: InitValue): Promise<Handler> {
  return Promise.resolve().then(() => (message.binary ? loadZip(message) : loadPlainCode(message)));
}
