import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { matchFaces } from '../bench/boxes';
import { BAND_THRESHOLDS, chooseBands, scenarioName, SCENARIOS } from '../bench/references';
import { BEFORE_FINE_VARIANT, DEFAULT_FINE_VARIANT, PREVIOUS_FINE_VARIANT } from '../bench/stage-variants';
import { chooseThreshold, rates, THRESHOLDS } from '../bench/threshold';
import { demoPhoto } from '../local/standins/demo';
import { PROJECT_ROOT } from './helpers/platform';

function findme(...args: string[]) {
  return spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'findme.js'), ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 170_000 });
}

/**
 * A labelled folder of two people of demo photo 1, two pictures each (two crops of the same face, re-encoded
 * differently), removed after the file's tests.
 */
async function tinyLabelledFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'findme-faces-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, [left, top, width, height]] of [['fr_left', [330, 280, 360, 400]], ['fr_right', [1380, 120, 420, 420]]] as const) {
    mkdirSync(join(dir, name));
    for (const [i, quality] of [[1, 90], [2, 60]] as const) {
      await sharp(demoPhoto(1)).extract({ left: left + i * 10, top, width, height }).jpeg({ quality }).toFile(join(dir, name, `${i}.jpg`));
    }
  }
  return dir;
}

test('bench compare --quick --runs 1 prints the stage table, cold and warm', { timeout: 180_000 }, () => {
  const result = findme('bench', 'compare', '--quick', '--runs', '1');
  assert.equal(result.status, 0, result.stderr);
  for (const stage of ['initialisation', 'model loading', 'image loading', 'face detection', 'everything else', 'total']) {
    assert.match(result.stdout, new RegExp(`^${stage}\\s+\\S.*\\s\\d+ ms.*\\s\\d+ ms`, 'm'), stage);
  }
  assert.match(result.stdout, /backend (wasm|cpu|tensorflow)/);
  assert.match(result.stdout, /peak memory of a cold process: \d+ MB/);
  assert.match(result.stdout, /^targets: warm \d+ ms vs ≤ 300 ms: (met|not met)/m);
});

test('bench accuracy on a tiny labelled folder prints TPR and FPR per threshold', { timeout: 180_000 }, async () => {
  const dir = await tinyLabelledFolder();
  // --quick: a smoke run writes no results over the committed ones.
  const result = findme('bench', 'accuracy', dir, '--quick');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /fr_\* with a 400 px profile: \d+ same-person pairs, \d+ different/);
  assert.match(result.stdout, /^0\.5500(\s+(\d+\.\d%|—)){7}$/m, 'a row of rates at 0.55: TPR/FPR at 400 px, group photos, 96 and 48 px');
  assert.match(result.stdout, /^chosen: /m);
  assert.match(result.stdout, /^threshold\s+fr 1 ref\s+fr 3 refs, nearest\s+fr 3 refs, mean of 2 nearest\s+demo strangers\s+band$/m, 'the bands table');
  assert.match(result.stdout, /^0\.4000\s+(\d+\.\d%|—) \/ /m);
  assert.match(result.stdout, /^bands chosen: match ≤ [\d.]+|none, maybe ≤/m);
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('bench stage on a tiny labelled folder prints, per scene and face size, each variant\'s row and the default\'s result by kind of photo', { timeout: 180_000 }, async () => {
  // The first picture of each becomes the profile, the second is pasted small.
  const dir = await tinyLabelledFolder();
  // --quick: 32 and 64 px, three variants, and no results written over the committed ones.
  const result = findme('bench', 'stage', dir, '--photos', '2', '--quick');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^2 photos of 2 people from /m);
  for (const scene of ['2048x1536', '4032x3024']) assert.match(result.stdout, new RegExp(`^${scene}, threshold [\\d.]+ \\(sure\\), [\\d.]+ \\(maybe\\):$`, 'm'), scene);
  for (const size of [32, 64]) {
    for (const variant of [BEFORE_FINE_VARIANT, DEFAULT_FINE_VARIANT, PREVIOUS_FINE_VARIANT].map(escaped)) {
      assert.match(result.stdout, new RegExp(`^${size} px\\s+${variant}\\s+2(\\s+\\d+\\.\\d%){4}\\s+\\d+\\s+\\d+\\.\\d\\s+\\d+\\s+\\d\\.\\d\\d×$`, 'm'), `${size} px, ${variant}`);
    }
    assert.match(result.stdout, new RegExp(`^  ${escaped(DEFAULT_FINE_VARIANT)} at ${size} px, sure \\+ maybe by kind: fr_\\* [0-2]/2`, 'm'), `${size} px by kind`);
  }
  assert.match(result.stdout, /^machine: /m);
});

test('the bands: sure is the largest threshold with no stranger matched anywhere, maybe the smallest reaching the TPR goal with one reference', () => {
  const t = BAND_THRESHOLDS;
  const at = (cut: number, value: number) => t.map((threshold) => ({ threshold, tpr: threshold >= cut ? 1 : 0.5, fpr: threshold >= cut ? value : 0 }));
  const clean = t.map((threshold) => ({ threshold, tpr: 1, fpr: 0 }));
  const one = { scenario: scenarioName(SCENARIOS[0]!), positives: 1, negatives: 1, groupPhotoChecks: 1, rates: at(0.55, 0), groupPhotos: clean };
  const three = { ...one, scenario: scenarioName(SCENARIOS[1]!), rates: at(0.6, 0.01), groupPhotos: clean };
  const choice = chooseBands({ fr: [one, three] }, at(0.5, 0.02));
  assert.deepEqual([choice.sure, choice.maybe], [0.4875, 0.55], 'the demo strangers bind the sure band at 0.5; one reference reaches TPR 100 % at 0.55');
  assert.equal(chooseBands({ fr: [one, three] }, t.map((threshold) => ({ threshold, tpr: NaN, fpr: 0 }))).sure, 0.5875, 'else the 3-reference pair FPR binds');
});

test('the threshold: the middle of those meeting the TPR target on real photos with every FPR within the limit', () => {
  assert.equal(THRESHOLDS[0], 0.45);
  assert.equal(THRESHOLDS.at(-1), 0.65);
  const table = rates([0.3, 0.4, 0.5, 0.6], [0.52, 0.7, 0.8, 0.9], [0.45, 0.5, 0.55, 0.6]);
  assert.deepEqual(table.map((r) => [r.threshold, r.tpr, r.fpr]), [[0.45, 0.5, 0], [0.5, 0.75, 0], [0.55, 0.75, 0.25], [0.6, 1, 0.25]]);
  const none = chooseThreshold(table, [table], 0.005);
  assert.deepEqual([none.threshold, none.safe], [0.5, []], 'no threshold reaches the TPR target: the largest within the FPR limit');
  assert.match(none.reason, /^no threshold reaches TPR 95 % within FPR ≤ 0\.5 %: the largest within the FPR limit$/);
  assert.equal(chooseThreshold(table, [table], 0.3).threshold, 0.6);
  assert.deepEqual(chooseThreshold(table, [table], 0.3, 0.7).safe, [0.5, 0.55, 0.6]);
  assert.equal(chooseThreshold(table, [table], 0.3, 0.7).threshold, 0.55, 'the middle of the safe range');
  const two = rates([0.3, 0.4, 0.52, 0.6], [0.9], [0.45, 0.5, 0.55, 0.6]);
  assert.deepEqual(chooseThreshold(two, [two], 0.005, 0.7).safe, [0.55, 0.6]);
  assert.equal(chooseThreshold(two, [two], 0.005, 0.7).threshold, 0.6, 'two safe ones: the upper');
  const stricter = rates([0.3], [0.48], [0.45, 0.5, 0.55, 0.6]);
  assert.equal(chooseThreshold(table, [table, stricter], 0.005).threshold, 0.45, 'every guard must stay within the limit');
  const hopeless = rates([0.3], [0.1], [0.45]);
  assert.equal(chooseThreshold(hopeless, [hopeless], 0.005).threshold, undefined);
});

test('faces are matched to reference faces by box overlap, each at most once', () => {
  const reference = [{ x: 0, y: 0, width: 100, height: 100 }, { x: 200, y: 0, width: 100, height: 100 }];
  const found = [{ x: 210, y: 5, width: 100, height: 100 }, { x: 5, y: 0, width: 100, height: 100 }, { x: 8, y: 0, width: 100, height: 100 }, { x: 500, y: 500, width: 50, height: 50 }];
  const match = matchFaces(found, reference);
  assert.equal(match.hits, 2);
  assert.equal(match.extra, 2, 'a second box on a face already matched, and a box on no face');
  assert.deepEqual(match.pairs.sort(), [[0, 1], [1, 0]]);
});

test('an unknown benchmark is a usage error', () => {
  const result = findme('bench', 'nonsense');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown benchmark "nonsense"/);
});
