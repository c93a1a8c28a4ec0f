/**
 * The build (`npm run build` runs it through scripts/build.ts): the verified weights, one CommonJS bundle per
 * action (what serverless.yml packages and the local platform runs), and the web page. Also called by `findme start` and the test runner, so what runs is
 * always what was built from the current sources.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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
 * names. serverless.yml points each function's `package.artifact` here: Serverless v3 does not package functions
 * that have an `image` (its AWS container-image semantics), so compare_images needs a prebuilt artifact, and all
 * four are built the same way.
 */
export async function buildPackages(bundles: string[]): Promise<string[]> {
  mkdirSync(PACKAGES_OUT, { recursive: true });
  return Promise.all(
    bundles.map(async (bundle) => {
      const zip = new JSZip();
      zip.file(`dist/actions/${basename(bundle)}`, readFileSync(bundle), { date: new Date('2020-01-01T00:00:00Z') });
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

export async function build(): Promise<void> {
  syncWeights();
  await Promise.all([buildActions().then(buildPackages), buildRuntime(), buildWeb()]);
  // esbuild keeps a service process for later builds; long-running callers (findme start) have none.
  await esbuild.stop();
}
