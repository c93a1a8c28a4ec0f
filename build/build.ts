/**
 * The build (`npm run build` runs it through scripts/build.ts): the verified weights, one CommonJS bundle per
 * action (what serverless.yml packages and the local platform runs), and the web page. Also called by `findme start` and the test runner, so what runs is
 * always what was built from the current sources.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import * as esbuild from 'esbuild';
import JSZip from 'jszip';
import { PROJECT_ROOT, syncWeights } from './weights';

export const DIST = join(PROJECT_ROOT, 'dist');
export const ACTIONS_OUT = join(DIST, 'actions');
export const WEB_OUT = join(DIST, 'web');
export const PACKAGES_OUT = join(DIST, 'packages');

/**
 * Provided by the runtime, never bundled: the Docker image installs these next to the OpenWhisk runtime (native
 * code, or one shared copy of tfjs-core that tfjs-node must register its backend into); locally they resolve from
 * this project's node_modules.
 */
export const RUNTIME_PROVIDED = ['@tensorflow/tfjs-node', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@vladmandic/face-api', 'sharp'];

/** Every `actions/<name>.ts` is an action entry point; shared code lives in `actions/lib/`. */
export function actionEntryPoints(): string[] {
  const dir = join(PROJECT_ROOT, 'actions');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

export async function buildActions(): Promise<string[]> {
  const entryPoints = actionEntryPoints();
  const outputs = entryPoints.map((e) => join(ACTIONS_OUT, basename(e, '.ts') + '.js'));
  mkdirSync(ACTIONS_OUT, { recursive: true });
  // Overwrite in place rather than emptying the folder: a platform running in another process may be reading
  // these bundles. Only bundles of actions that no longer exist are removed.
  for (const file of readdirSync(ACTIONS_OUT)) {
    if (!outputs.includes(join(ACTIONS_OUT, file))) rmSync(join(ACTIONS_OUT, file), { force: true });
  }
  if (entryPoints.length === 0) return [];
  await esbuild.build({
    entryPoints,
    outdir: ACTIONS_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // No source map: neither OpenWhisk's nodejs runtime nor the local one starts Node with --enable-source-maps,
    // so an inline map would go unused while tripling the bytes every cold start sends, unzips and parses (≈ 60 ms
    // of a light action's require). Unminified, stack traces still name the functions and modules.
    sourcemap: false,
    external: RUNTIME_PROVIDED,
    // The store's Lua scripts are files, bundled as their text (bin/register.mjs does the same under tsx).
    loader: { '.lua': 'text' },
    // Library code is ESM; in a CommonJS bundle `import.meta.url` would be empty. OpenWhisk evaluates plain
    // code inside its runner, so this is the runner's file: requires then resolve where the image installs them.
    banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' },
    define: { 'import.meta.url': '__import_meta_url' },
    logLevel: 'warning',
  });
  return outputs;
}

/**
 * One deployable zip per action, `dist/packages/<name>.zip`, holding only its bundle at the path its handler
 * names and a package.json whose `main` is that bundle. serverless.yml points each function's `package.artifact`
 * here: Serverless v3 does not package functions that have an `image` (its AWS container-image semantics), so
 * compare_images needs a prebuilt artifact, and all of them are built the same way.
 */
export async function buildPackages(bundles: string[]): Promise<string[]> {
  mkdirSync(PACKAGES_OUT, { recursive: true });
  return Promise.all(
    bundles.map(async (bundle) => {
      const zip = new JSZip();
      const inZip = `dist/actions/${basename(bundle)}`;
      const date = new Date('2020-01-01T00:00:00Z');
      zip.file(inZip, readFileSync(bundle), { date });
      // The stock runtime's /init refuses a zip without package.json or index.js at its root (502): with this one
      // `wsk action create … dist/packages/<name>.zip` works too. The plugin writes the same file over it.
      zip.file('package.json', JSON.stringify({ main: inZip }), { date });
      const out = join(PACKAGES_OUT, `${basename(bundle, '.js')}.zip`);
      writeFileSync(out, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } }));
      return out;
    }),
  );
}

/** The local platform's action container program (see local/runtime/): one file, started once per container. */
export const RUNTIME_OUT = join(DIST, 'local', 'runtime.cjs');

export async function buildRuntime(): Promise<void> {
  await esbuild.build({
    entryPoints: [join(PROJECT_ROOT, 'local', 'runtime', 'main.ts')],
    outfile: RUNTIME_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
}

export async function buildWeb(): Promise<void> {
  const webDir = join(PROJECT_ROOT, 'web');
  const entry = join(webDir, 'src', 'main.ts');
  mkdirSync(WEB_OUT, { recursive: true });
  for (const file of readdirSync(webDir)) {
    if (/\.(html|css|svg|png|ico|webmanifest)$/.test(file)) copyFileSync(join(webDir, file), join(WEB_OUT, file));
  }
  if (!existsSync(entry)) return;
  await esbuild.build({
    entryPoints: [entry],
    outfile: join(WEB_OUT, 'app.js'),
    bundle: true,
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    format: 'esm',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

/**
 * What the build reads besides node_modules (which package-lock.json pins): the action, page and local-runtime
 * sources, the build's own code, and the package files. local/ is whole: the runtime imports from beside it.
 */
const BUILD_INPUTS = ['actions', 'web', 'local', 'build', 'package.json', 'package-lock.json'];
/** The hash of the inputs the outputs in dist/ were built from. */
export const BUILD_STAMP = join(DIST, '.build-stamp');

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name !== 'node_modules')
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** SHA-256 over every input file's path and bytes: any edit, added or removed file changes it. */
export function buildInputsHash(root = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  for (const file of BUILD_INPUTS.flatMap((input) => filesUnder(join(root, input)))) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Every output the build writes, for the current action entry points. */
function buildOutputs(): string[] {
  const names = actionEntryPoints().map((e) => basename(e, '.ts'));
  return [...names.flatMap((n) => [join(ACTIONS_OUT, `${n}.js`), join(PACKAGES_OUT, `${n}.zip`)]), RUNTIME_OUT, join(WEB_OUT, 'index.html'), join(WEB_OUT, 'app.js')];
}

/**
 * Builds what is out of date. The test runner and every `findme start` call this, many times a test run: when
 * dist/ was built from these very inputs (the stamp's hash) and every output is there, only the weights are
 * checked. `force` rebuilds regardless (`npm run build`).
 */
export async function build(options: { force?: boolean } = {}): Promise<void> {
  syncWeights();
  const inputs = buildInputsHash();
  if (!options.force && existsSync(BUILD_STAMP) && readFileSync(BUILD_STAMP, 'utf8') === inputs && buildOutputs().every((f) => existsSync(f))) return;
  rmSync(BUILD_STAMP, { force: true });
  await Promise.all([buildActions().then(buildPackages), buildRuntime(), buildWeb()]);
  // esbuild keeps a service process for later builds; long-running callers (findme start) have none.
  await esbuild.stop();
  writeFileSync(BUILD_STAMP, inputs);
}
