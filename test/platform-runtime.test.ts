/**
 * The action container program spoken to over raw HTTP, as an invoker speaks to the OpenWhisk nodejs runtime:
 * its /init and /run codes and messages, its __OW_* environment and its end-of-activation markers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import JSZip from 'jszip';
import { readServerlessYml } from '../local/manifest/serverless';
import { MARKER } from '../local/runtime/protocol';
import { eventually } from './helpers/eventually';
import { PROJECT_ROOT } from './helpers/platform';

interface Runtime {
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  stdout: string[];
  stderr: string[];
  /** Resolves once `count` markers arrived on both streams. */
  markers(count: number): Promise<void>;
  /** Resolves once stdout has a line equal to `line`. */
  printed(line: string): Promise<void>;
}

async function startRuntime(env: Record<string, string> = {}): Promise<Runtime> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'local', 'runtime.cjs')], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  after(() => void child.kill('SIGKILL'));
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.push(...d.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(...d.split('\n').filter(Boolean)));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`runtime exited with ${code}: ${stderr.join('\n')}`)));
  });
  return {
    stdout,
    stderr,
    async post(path, body) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    printed: (line) => eventually(() => stdout.includes(line), 5_000, () => `stdout printed "${line}":\n${stdout.join('\n')}`),
    markers: (count) =>
      eventually(
        () => stdout.filter((l) => l === MARKER).length >= count && stderr.filter((l) => l === MARKER).length >= count,
        5_000,
        () => `${count} markers on stdout and stderr, got:\n${stdout.join('\n')}\n--\n${stderr.join('\n')}`,
      ),
  };
}

async function zipOf(files: Record<string, string>): Promise<string> {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(files)) zip.file(name, text);
  return (await zip.generateAsync({ type: 'nodebuffer' })).toString('base64');
}

const HANDLER = `
let runs = 0;
exports.main = async (params) => {
  runs += 1;
  if (params.mode === 'string') return 'a string';
  if (params.mode === 'reject') throw Object.assign(new Error('went wrong'), { code: 'E_TEST' });
  if (params.mode === 'reject-nothing') return Promise.reject();
  if (params.mode === 'wait') {
    console.log('waiting', params.ms);
    await new Promise((r) => setTimeout(r, Number(params.ms)));
  }
  const env = {};
  for (const key of Object.keys(process.env)) if (key.startsWith('__OW_') || key === 'FROM_INIT' || key === 'OBJECT_FROM_INIT' || key === 'FALSE_FROM_INIT') env[key] = process.env[key];
  console.log('run', runs);
  return { runs, env, cwd: process.cwd() };
};
exports.throwing = () => { throw new TypeError('thrown at once'); };
`;

async function initialised(env: Record<string, string> = {}, main = 'main'): Promise<Runtime> {
  const runtime = await startRuntime(env);
  const init = await runtime.post('/init', { value: { name: 'pkg/action', main, binary: true, code: await zipOf({ 'dist/handler.js': HANDLER, 'package.json': JSON.stringify({ main: 'dist/handler.js' }) }), env: { FROM_INIT: 'yes', OBJECT_FROM_INIT: { a: 1 }, FALSE_FROM_INIT: false } } });
  assert.deepEqual(init, { status: 200, body: { OK: true } });
  return runtime;
}

test('/init unpacks a zip with package.json as serverless-openwhisk deploys it; a second /init is 403', async () => {
  const runtime = await initialised();
  const again = await runtime.post('/init', { value: { main: 'main', code: 'x', binary: false } });
  assert.deepEqual(again, { status: 403, body: { error: 'Cannot initialize the action more than once.' } });
  const run = await runtime.post('/run', { value: {}, namespace: 'guest', action_name: '/guest/pkg/action', activation_id: 'a1', deadline: '123', api_key: 'k:1', api_host: 'http://127.0.0.1:9', transaction_id: 't1', action_version: '0.0.1' });
  assert.equal(run.status, 200);
  assert.match(String(run.body.cwd), /action-/, 'the working directory is the unpacked archive');
  assert.deepEqual(run.body.env, {
    FROM_INIT: 'yes',
    OBJECT_FROM_INIT: '{"a":1}',
    FALSE_FROM_INIT: '',
    __OW_NAMESPACE: 'guest',
    __OW_ACTION_NAME: '/guest/pkg/action',
    __OW_ACTIVATION_ID: 'a1',
    __OW_DEADLINE: '123',
    __OW_API_KEY: 'k:1',
    __OW_API_HOST: 'http://127.0.0.1:9',
    __OW_TRANSACTION_ID: 't1',
    __OW_ACTION_VERSION: '0.0.1',
  });
  await runtime.markers(1);
  assert.ok(runtime.stdout.indexOf('run 1') < runtime.stdout.indexOf(MARKER), 'the marker follows the activation output');
  const second = await runtime.post('/run', { value: {}, activation_id: 'a2' });
  assert.equal((second.body.env as Record<string, string>).__OW_ACTIVATION_ID, 'a2', 'per-activation fields change with each run');
  assert.equal(second.body.runs, 2, 'module state lives on between runs');
});

test('/run results: a non-object is 502, a rejected promise is 200 {error}, a synchronous throw is 502 and stops the container', async () => {
  const runtime = await initialised();
  assert.deepEqual(await runtime.post('/run', { value: { mode: 'string' } }), { status: 502, body: { error: 'The action did not return a dictionary.' } });
  const rejected = await runtime.post('/run', { value: { mode: 'reject' } });
  assert.equal(rejected.status, 200);
  const error = rejected.body.error as Record<string, unknown>;
  assert.equal(error.name, 'Error');
  assert.equal(error.message, 'went wrong');
  assert.equal(error.code, 'E_TEST');
  assert.match(String(error.stack), /went wrong/);
  assert.deepEqual(await runtime.post('/run', { value: { mode: 'reject-nothing' } }), { status: 200, body: { error: {} } });
  assert.deepEqual(await runtime.post('/run', { value: 'not a dictionary' }), { status: 403, body: { error: "Internal system error: the argument must be a dictionary but has type 'string'." } });

  const thrower = await initialised({}, 'throwing');
  assert.deepEqual(await thrower.post('/run', { value: {} }), { status: 502, body: { error: 'An error has occurred: TypeError: thrown at once' } });
  assert.deepEqual(await thrower.post('/run', { value: {} }), { status: 403, body: { error: 'System not ready, status is stopped.' } });
  await thrower.markers(1);
});

test('overlapping runs are 403 unless __OW_ALLOW_CONCURRENT is true', async () => {
  const runtime = await initialised();
  const slow = runtime.post('/run', { value: { mode: 'wait', ms: 1000 } });
  await runtime.printed('waiting 1000');
  assert.deepEqual(await runtime.post('/run', { value: {} }), { status: 403, body: { error: 'System not ready, status is running.' } });
  assert.equal((await slow).status, 200);

  const concurrent = await initialised({ __OW_ALLOW_CONCURRENT: 'true' });
  const finished: string[] = [];
  const first = concurrent.post('/run', { value: { mode: 'wait', ms: 1000 } }).then((r) => finished.push(`slow ${r.status}`));
  await concurrent.printed('waiting 1000');
  await concurrent.post('/run', { value: {} }).then((r) => finished.push(`quick ${r.status}`));
  await first;
  assert.deepEqual(finished, ['quick 200', 'slow 200'], 'the second run answered while the first was still running');
});

test('each deploy zip npm run build writes initialises in the runtime by itself (no plugin adding package.json); its bundle alone is refused as the stock runtime refuses it', async () => {
  const packages = join(PROJECT_ROOT, 'dist', 'packages');
  const zips = readdirSync(packages).filter((f) => f.endsWith('.zip')).sort();
  const manifest = readServerlessYml(join(PROJECT_ROOT, 'serverless.yml'), {});
  const deployed = manifest.actions.map((a) => `${basename(a.handlerFile, '.js')}.zip`);
  assert.deepEqual(deployed.filter((zip) => !zips.includes(zip)), [], 'every action serverless.yml deploys has its zip');
  // Actions on findme's image find face-api, tfjs and sharp in its /node_modules; here, the project's.
  const onImage = new Set(manifest.actions.filter((a) => a.image !== undefined).map((a) => `${basename(a.handlerFile, '.js')}.zip`));
  for (const file of zips) {
    const zip = readFileSync(join(packages, file));
    const runtime = await startRuntime(onImage.has(file) ? { NODE_PATH: join(PROJECT_ROOT, 'node_modules') } : {});
    assert.deepEqual(await runtime.post('/init', { value: { name: `findme/${basename(file, '.zip')}`, main: 'main', binary: true, code: zip.toString('base64') } }), { status: 200, body: { OK: true } }, file);
    const bare = await JSZip.loadAsync(zip);
    bare.remove('package.json');
    const refused = await (await startRuntime()).post('/init', { value: { main: 'main', binary: true, code: (await bare.generateAsync({ type: 'nodebuffer' })).toString('base64') } });
    assert.deepEqual(refused, { status: 502, body: { error: 'Initialization has failed due to: Zipped actions must contain either package.json or index.js at the root.' } }, file);
  }
  console.log(`# ${zips.length} deploy zips initialised (${[...onImage].join(', ')} with the image's modules)`);
});

test('/init failures: 403 without code, 502 with the reason, and the container stays stopped', async () => {
  const cases: Array<[unknown, number, string | RegExp]> = [
    [{ value: { main: 'main' } }, 403, 'Missing main/no code to execute.'],
    [{ value: { main: 'main', binary: true, code: Buffer.from('not a zip').toString('base64') } }, 502, 'Initialization has failed due to: There was an error uncompressing the action archive. The file type is unsupported'],
    [{ value: { main: 'nope', binary: true, code: await zipOf({ 'index.js': 'exports.main = () => ({})' }) } }, 502, "Initialization has failed due to: Action entrypoint 'nope' is not a function."],
    [{ value: { main: 'main', binary: true, code: await zipOf({ 'lib/a.js': '' }) } }, 502, 'Initialization has failed due to: Zipped actions must contain either package.json or index.js at the root.'],
    [{ value: { main: 'main', binary: true, code: await zipOf({ 'index.js': 'throw new Error("broken module")' }) } }, 502, /^Initialization has failed due to: Error: broken module\n\s+at /],
  ];
  for (const [body, status, message] of cases) {
    const runtime = await startRuntime();
    const answer = await runtime.post('/init', body);
    assert.equal(answer.status, status, JSON.stringify(answer));
    if (typeof message === 'string') assert.equal(answer.body.error, message);
    else assert.match(String(answer.body.error), message);
    if (status === 502) {
      await runtime.markers(1);
      assert.deepEqual(await runtime.post('/init', body), { status: 403, body: { error: 'System not ready, status is stopped.' } });
    } else {
      assert.deepEqual(await runtime.post('/run', { value: {} }), { status: 403, body: { error: 'System not initialized.' } });
    }
  }
});

test('plain code (binary: false) is evaluated as the runner does: a function named main, or module.exports.main', async () => {
  for (const code of ['function main(params) { return { got: params.x }; }', 'module.exports.main = (params) => ({ got: params.x });', 'exports.main = (params) => ({ got: params.x });']) {
    const runtime = await startRuntime();
    assert.deepEqual(await runtime.post('/init', { value: { main: 'main', code, binary: false } }), { status: 200, body: { OK: true } }, code);
    assert.deepEqual(await runtime.post('/run', { value: { x: 7 } }), { status: 200, body: { got: 7 } }, code);
  }
  const broken = await startRuntime();
  assert.equal((await broken.post('/init', { value: { main: 'main', code: 'const x = 1;', binary: false } })).body.error, "Initialization has failed due to: Action entrypoint 'main' is not a function.");
});

test('anything but POST /init and /run, or a body that is not JSON, is 500 {error: "Bad request."}', async () => {
  const runtime = await startRuntime();
  assert.deepEqual(await runtime.post('/other', {}), { status: 500, body: { error: 'Bad request.' } });
  assert.deepEqual(await runtime.post('/init', '{not json'), { status: 500, body: { error: 'Bad request.' } });
});
