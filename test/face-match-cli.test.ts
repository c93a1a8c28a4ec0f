/** `findme match` as a user runs it: a child process, files and URLs, JSON lines out, exit codes. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULTS } from '../actions/lib/config';
import type { PhotoLine, SummaryLine } from '../cli/commands/match';
import { demoBytes, noFaceImage, sample1Profile, SAMPLE1_FACES, serve, startPhotoHost } from './helpers/images';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'findme-match-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const host = await startPhotoHost();

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const profile = file('me.jpg', await sample1Profile(2, 400));
const sample1 = file('sample1.jpg', demoBytes(1));

interface Run {
  code: number;
  lines: PhotoLine[];
  summary: SummaryLine['summary'] | undefined;
  stderr: string;
}

function findme(...args: string[]): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FINDME_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'findme.js'), 'match', ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      const parsed = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as PhotoLine | SummaryLine);
      resolve({
        code: error ? Number(error.code) : 0,
        lines: parsed.filter((l): l is PhotoLine => 'photo' in l),
        summary: parsed.map((l) => ('summary' in l ? l.summary : undefined)).find(Boolean),
        stderr,
      });
    });
  });
}

test('one JSON line per photo, file or allowed URL, then a summary; exit 0', async () => {
  const url = host.route('/sample3.jpg', serve.bytes(demoBytes(3)));
  const run = await findme(profile, sample1, url, '--allow-host', '127.0.0.1');
  assert.equal(run.code, 0, run.stderr);
  const maybes = run.lines.filter((l) => l.maybe).length;
  assert.deepEqual(run.summary, { photos: 2, matched: 1, maybe: maybes, failed: 0, threshold: DEFAULTS.matchThreshold, maybeThreshold: DEFAULTS.maybeThreshold, references: 1, backend: 'wasm' });
  const [first, second] = run.lines;
  assert.equal(first?.photo, sample1);
  assert.equal(first?.match, true);
  assert.equal(first?.faces?.length, 3);
  const closest = [...first!.faces!].sort((a, b) => a.distance - b.distance)[0]!;
  assert.ok(Math.abs(closest.box.x - SAMPLE1_FACES[2]!.x) < 20, JSON.stringify(closest.box));
  assert.ok(closest.distance < DEFAULTS.matchThreshold);
  assert.deepEqual([second?.photo, second?.match, second?.faces?.length], [url, false, 3]);
  assert.ok(second!.faces!.every((f) => f.distance > DEFAULTS.matchThreshold));
  const nearest = Math.min(...second!.faces!.map((f) => f.distance));
  assert.equal(second?.maybe, nearest <= DEFAULTS.maybeThreshold, `maybe follows the nearest face (${nearest})`);
  // The backend note is for --verbose only: without it, nothing on stderr reads like an error.
  assert.equal(run.stderr, '');
  const verbose = await findme(profile, sample1, '--verbose');
  assert.match(verbose.stderr, /face engine: backend wasm/);
});

test('bad photos get an error line each and exit 1; --threshold is the matching distance', async () => {
  const notImage = file('notes.jpg', Buffer.from('hello'));
  const run = await findme(profile, notImage, join(dir, 'missing.jpg'), host.url('/sample3.jpg'), sample1, '--threshold', '0.1');
  assert.equal(run.code, 1);
  assert.deepEqual(run.lines.map((l) => [l.photo, l.error]), [
    [notImage, 'not an image (JPEG, PNG, WebP or GIF expected)'],
    [join(dir, 'missing.jpg'), `cannot read ${join(dir, 'missing.jpg')}: no such file`],
    [host.url('/sample3.jpg'), `${host.url('/sample3.jpg')}: host ${host.host} is not allowed (allowed: pbs.twimg.com, abs.twimg.com; see FINDME_IMAGE_HOSTS)`],
    [sample1, undefined],
  ]);
  // The profile is cropped from sample1 itself, and descriptors come from its full pixels: its face may be
  // within 0.1; whichever it is, the match follows the distances at the threshold given.
  const faces = run.lines[3]?.faces ?? [];
  const within = faces.some((f) => f.distance <= 0.1);
  assert.equal(run.lines[3]?.match, within);
  assert.ok(faces.filter((f) => f.distance <= 0.1).length <= 1, 'the other faces are strangers');
  const maybe = run.lines[3]?.maybe === true ? 1 : 0;
  assert.deepEqual(run.summary, { photos: 4, matched: within ? 1 : 0, maybe, failed: 3, threshold: 0.1, maybeThreshold: DEFAULTS.maybeThreshold, references: 1, backend: 'wasm' });
});

test('--also adds reference faces: each face is measured against the nearest of them', async () => {
  // The profile is face 2 of sample1; face 0 joins it: both faces of sample1 are then sure matches of "you".
  const other = file('also.jpg', await sample1Profile(0, 400));
  const one = await findme(profile, sample1);
  const two = await findme(profile, '--also', other, sample1);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(two.summary?.references, 2);
  const byX = (faces: PhotoLine['faces']) => [...(faces ?? [])].sort((a, b) => a.box.x - b.box.x).map((f) => f.distance);
  const [before, after] = [byX(one.lines[0]?.faces), byX(two.lines[0]?.faces)];
  assert.ok(after[0]! < before[0]! && after[0]! <= DEFAULTS.matchThreshold, `face 0: ${before[0]} → ${after[0]}`);
  assert.ok(after.every((d, i) => d <= before[i]! + 1e-9), 'a distance to the nearest of more references never grows');
  const nobody = file('nobody.jpg', await noFaceImage());
  const bad = await findme(profile, '--also', nobody, sample1);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.split('\n').find((l) => l.startsWith('findme: ')), `findme: --also ${nobody}: no face found`);
});

test('a profile picture without a face is an error, exit 1', async () => {
  const run = await findme(file('wall.jpg', await noFaceImage()), sample1);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^findme: profile picture: no face found$/m);
  assert.deepEqual(run.lines, []);
});

test('usage mistakes exit 2 before any model loads, naming the flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [[profile], /give a profile image and at least one photo/],
    [[profile, sample1, '--threshold', 'near'], /--threshold must be a number from 0\.1 to 1\.5, got "near"/],
    [[profile, sample1, '--backend', 'gpu'], /--backend must be one of tensorflow, wasm, cpu, got "gpu"/],
    [[profile, sample1, '--allow-host', 'http://x'], /--allow-host must be a host name/],
  ];
  for (const [args, message] of cases) {
    const run = await findme(...args);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /face engine/);
  }
});
