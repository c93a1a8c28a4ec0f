import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readManifest, sha256, syncWeights, WEIGHTS_DIR, WeightsError } from '../build/weights';

const scratch = mkdtempSync(join(tmpdir(), 'findme-weights-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function freshDir(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(WEIGHTS_DIR, 'manifest.json'), join(dir, 'manifest.json'), { recursive: true });
  return dir;
}

test('the build fills an empty weights folder from the face-api package, every file verified', () => {
  const dir = freshDir('empty');
  const copied = syncWeights(dir);
  const manifest = readManifest(dir);
  assert.deepEqual(copied.sort(), Object.keys(manifest.files).sort());
  for (const [name, hash] of Object.entries(manifest.files)) assert.equal(sha256(join(dir, name)), hash);
  assert.deepEqual(syncWeights(dir), [], 'a second run copies nothing');
});

test('a deleted weight file is restored', () => {
  const dir = freshDir('deleted');
  syncWeights(dir);
  rmSync(join(dir, 'face_recognition_model.bin'));
  assert.deepEqual(syncWeights(dir), ['face_recognition_model.bin']);
});

test('one changed byte in a weight file fails the build, naming the file', () => {
  const dir = freshDir('edited');
  syncWeights(dir);
  const file = join(dir, 'ssd_mobilenetv1_model.bin');
  const bytes = readFileSync(file);
  bytes[1000] = (bytes[1000]! + 1) % 256;
  writeFileSync(file, bytes);
  assert.throws(() => syncWeights(dir), (error: unknown) => {
    assert.ok(error instanceof WeightsError);
    assert.match(error.message, /ssd_mobilenetv1_model\.bin has SHA-256 [0-9a-f]{64}, but weights\/manifest\.json expects/);
    return true;
  });
});

test('a changed file in the package itself is refused too', () => {
  const dir = freshDir('bad-source');
  const source = join(scratch, 'source');
  const manifest = readManifest(dir);
  cpSync(join(WEIGHTS_DIR), source, { recursive: true, filter: (f) => !f.endsWith('manifest.json') || f.includes('_model') });
  writeFileSync(join(source, 'tiny_face_detector_model.bin'), 'not weights');
  assert.ok(Object.keys(manifest.files).includes('tiny_face_detector_model.bin'));
  assert.throws(() => syncWeights(dir, source), /tiny_face_detector_model\.bin/);
  assert.equal(existsSync(join(dir, 'tiny_face_detector_model.bin')), false, 'a bad file is never copied in');
});
