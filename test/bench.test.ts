import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { chooseThreshold, rates } from '../bench/accuracy';
import { demoPhoto } from './fakes/demo';
import { PROJECT_ROOT } from './helpers/platform';

function findme(...args: string[]) {
  return spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'findme.js'), ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 170_000 });
}

test('bench compare --quick --runs 1 prints the stage table, cold and warm', { timeout: 180_000 }, () => {
  const result = findme('bench', 'compare', '--quick', '--runs', '1');
  assert.equal(result.status, 0, result.stderr);
  for (const stage of ['initialisation', 'model loading', 'image loading', 'face detection', 'everything else', 'total']) {
    assert.match(result.stdout, new RegExp(`^${stage}\\s+\\d+ ms.*\\d+ ms`, 'm'), stage);
  }
  assert.match(result.stdout, /backend (wasm|cpu|tensorflow)/);
  assert.match(result.stdout, /peak memory of a cold process: \d+ MB/);
});

test('bench accuracy on a tiny labelled folder prints TPR and FPR per threshold', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'findme-faces-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Two people from the demo photos, two pictures each (two crops of the same face, re-encoded differently).
  const people: Array<[string, number, [number, number, number, number]]> = [
    ['fr_left', 1, [330, 280, 360, 400]],
    ['fr_right', 1, [1380, 120, 420, 420]],
  ];
  for (const [name, photo, [left, top, width, height]] of people) {
    mkdirSync(join(dir, name));
    for (const [i, quality] of [[1, 90], [2, 60]] as const) {
      await sharp(demoPhoto(photo as 1)).extract({ left: left + i * 10, top, width, height }).jpeg({ quality }).toFile(join(dir, name, `${i}.jpg`));
    }
  }
  const result = findme('bench', 'accuracy', dir);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /fr_\* with a 400 px profile: \d+ same-person pairs, \d+ different/);
  assert.match(result.stdout, /^0\.550\s+\d+\.\d%\s+\d+\.\d%$/m);
});

test('the threshold: the smallest reaching the TPR target on real photos, with FPR within the limit everywhere', () => {
  const table = rates([0.3, 0.4, 0.5, 0.6], [0.52, 0.7, 0.8, 0.9], [0.45, 0.5, 0.55, 0.6]);
  assert.deepEqual(table.map((r) => [r.threshold, r.tpr, r.fpr]), [[0.45, 0.5, 0], [0.5, 0.75, 0], [0.55, 0.75, 0.25], [0.6, 1, 0.25]]);
  assert.equal(chooseThreshold([table], 0.005), 0.5, 'no threshold reaches the TPR target: the largest within the FPR limit');
  assert.equal(chooseThreshold([table], 0.3), 0.6);
  assert.equal(chooseThreshold([table], 0.3, 0.7), 0.5, 'the smallest that reaches the target');
  const stricter = rates([0.3], [0.48], [0.45, 0.5, 0.55, 0.6]);
  assert.equal(chooseThreshold([table, stricter], 0.005), 0.45, 'every table must stay within the limit');
  assert.equal(chooseThreshold([rates([0.3], [0.1], [0.45])], 0.005), undefined);
});

test('an unknown benchmark is a usage error', () => {
  const result = findme('bench', 'nonsense');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown benchmark "nonsense"/);
});
