// The last step of the image build (docker/Dockerfile): an image that could not compare a face fails to build,
// rather than at its first activation.
//   FINDME_WEIGHTS_DIR=<dir> node check-image.mjs <a directory the runtime unpacks actions into> [<package.json>]
// 0. With a package.json (the image's, whose `engines` test/deploy-image.test.ts keeps equal to the project's):
//    the Node.js running here satisfies its `engines.node` (a ">=X.Y[.Z]" floor), so `engines` never claims a
//    Node the base image does not ship.
// 1. FINDME_WEIGHTS_DIR holds every file its manifest.json lists, each with the sha256 the manifest pins.
// 2. Seen from where an action's bundle runs, the modules the image provides resolve and load: tfjs-node with
//    its native binding (backend `tensorflow`), face-api's Node build, sharp with its libvips.
// 3. There is one @tensorflow/tfjs-core: tfjs-node registers its backend into one copy, and a second copy would
//    leave the other without it.
// Plain Node, no dependencies: it runs in the stock runtime image.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function fail(message) {
  console.error(`check-image: ${message}`);
  process.exit(1);
}

function checkWeights(dir) {
  let files;
  try {
    files = Object.entries(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files ?? {});
  } catch (error) {
    fail(`${join(dir, 'manifest.json')} cannot be read: ${error.message}`);
  }
  if (files.length === 0) fail(`${join(dir, 'manifest.json')} lists no files`);
  for (const [file, expected] of files) {
    const path = join(dir, file);
    if (!existsSync(path)) fail(`${path} is missing (docker/build-push.sh runs npm run build first, which fetches it)`);
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (actual !== expected) fail(`${path}: sha256 ${actual}, manifest.json says ${expected}`);
  }
  console.log(`check-image: ${files.length} model files in ${dir} match manifest.json`);
}

function checkEngines(packageJson) {
  let range;
  try {
    range = JSON.parse(readFileSync(packageJson, 'utf8')).engines?.node;
  } catch (error) {
    fail(`${packageJson} cannot be read: ${error.message}`);
  }
  const floor = /^>=(\d+)\.(\d+)(?:\.(\d+))?$/.exec(range ?? '');
  if (!floor) fail(`${packageJson}: engines.node must be a ">=X.Y.Z" floor, got ${JSON.stringify(range)}`);
  const want = floor.slice(1).map((n) => Number(n ?? 0));
  const have = process.versions.node.split('.').map(Number);
  // The first part that differs decides (20.20.2 is past 20.17.0; 20.16.9 is not).
  const at = want.findIndex((n, i) => have[i] !== n);
  if (at >= 0 && have[at] < want[at]) fail(`this image runs Node.js ${process.versions.node}, below engines.node ${range} of ${packageJson}: change the base image or engines`);
  console.log(`check-image: Node.js ${process.versions.node} satisfies engines.node ${range}`);
}

/** Every installed copy of a package under a node_modules folder, nested ones included. */
function copiesOf(nodeModules, name, found = []) {
  if (!existsSync(nodeModules)) return found;
  if (existsSync(join(nodeModules, name, 'package.json'))) found.push(join(nodeModules, name));
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const packages = entry.name.startsWith('@') ? readdirSync(join(nodeModules, entry.name)).map((p) => join(entry.name, p)) : [entry.name];
    for (const pkg of packages) copiesOf(join(nodeModules, pkg, 'node_modules'), name, found);
  }
  return found;
}

async function checkModules(actionDir) {
  // Resolution starts where the runtime puts a bundle: <unpacked zip>/dist/actions/<action>.js.
  const require = createRequire(join(actionDir, 'dist', 'actions', 'action.js'));
  const load = (name) => {
    try {
      return require(name);
    } catch (error) {
      return fail(`${name} does not load from ${actionDir}: ${String(error.message).split('\n')[0]}`);
    }
  };
  const tf = load('@tensorflow/tfjs-node');
  const faceapi = load('@vladmandic/face-api/dist/face-api.node.js');
  const sharp = load('sharp');
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') fail(`tfjs-node loaded, but the backend is ${tf.getBackend()}, not tensorflow`);
  // The node_modules folder tfjs-node was found in (the image's /node_modules), nested copies included.
  const resolved = require.resolve('@tensorflow/tfjs-node');
  const nodeModules = resolved.slice(0, resolved.indexOf('/node_modules/') + '/node_modules'.length);
  const cores = copiesOf(nodeModules, '@tensorflow/tfjs-core');
  if (cores.length !== 1) fail(`expected one @tensorflow/tfjs-core in ${nodeModules}, found ${cores.length}: ${cores.join(', ')}`);
  console.log(`check-image: tfjs ${tf.version?.tfjs ?? tf.version?.['tfjs-core'] ?? '?'} on tensorflow, face-api ${faceapi.version ?? '?'}, sharp with libvips ${sharp.versions?.vips ?? '?'}`);
}

const actionDir = process.argv[2];
if (!actionDir || !process.env.FINDME_WEIGHTS_DIR) fail('usage: FINDME_WEIGHTS_DIR=<dir> node check-image.mjs <directory actions are unpacked into>');
if (process.argv[3]) checkEngines(process.argv[3]);
checkWeights(process.env.FINDME_WEIGHTS_DIR);
await checkModules(actionDir);
