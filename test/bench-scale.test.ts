/** The scale model of bench/scale.ts: counts from the batching rule and the deploy's rules, and which limit binds. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { estimate, LIMITS, readCost, readFinePass, readSearchShape } from '../bench/scale';
import { BEFORE_FINE_VARIANT, DEFAULT_FINE_VARIANT } from '../bench/stage-variants';
import { PROJECT_ROOT } from './helpers/platform';

const [ansible, kube] = LIMITS;
const cost = { warmMsPerPhoto: 500, coldExtraMs: 1000 };
const search = { sourceActions: 3, photosPerEvent: 10 };

test('1,000 photos at 10 per event: 101 fires, 100 compare_images invocations, and the fire rate binds once polling backs off', () => {
  const e = estimate(1000, 100, ansible!, cost, 12, search);
  assert.deepEqual([e.fires, e.compareInvocations, e.effectiveContainers], [101, 100, 100]);
  assert.equal(e.containerSeconds, 1000 * 0.5 + 100 * 1);
  assert.equal(e.bounds.compute, 5 + 1, 'one round of 10-photo events plus a cold start');
  assert.equal(e.binding, 'trigger fires per minute');
  assert.equal(e.seconds, 101);
});

test('register_search and every source action count against the invoke rate, beside compare_images and the polls', () => {
  const three = estimate(1000, 100, ansible!, cost, 60, search);
  const one = estimate(1000, 100, ansible!, cost, 60, { ...search, sourceActions: 1 });
  // 120 invokes a minute less 60 for polling leave 60 for the work: 100 compare_images + register_search + sources.
  assert.equal(three.bounds.invokes, 104);
  assert.equal(one.bounds.invokes, 102);
  assert.equal(three.invocations, 1 + 3 + 100 + Math.ceil((104 / 60) * 60));
});

test("deploy-kube: 30 concurrent caps the containers, and 1 s polling alone uses up its 60 invocations a minute", () => {
  const capped = estimate(1000, 100, kube!, cost, 12, search);
  assert.equal(capped.effectiveContainers, 30);
  assert.equal(capped.binding, 'invokes per minute');
  assert.equal(estimate(1000, 10, kube!, cost, 60, search).seconds, Number.POSITIVE_INFINITY);
});

test('the source actions are the rules on search_request in serverless.yml, not a constant', () => {
  const file = join(PROJECT_ROOT, 'serverless.yml');
  const rules = readFileSync(file, 'utf8').match(/^\s+- trigger: search_request$/gm) ?? [];
  assert.ok(rules.length > 0);
  assert.equal(readSearchShape(file).sourceActions, rules.length);
  // One source action fewer in the deploy: one fewer in the model.
  const dir = mkdtempSync(join(tmpdir(), 'findme-scale-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fewer = join(dir, 'serverless.yml');
  writeFileSync(fewer, readFileSync(file, 'utf8').replace(/^(\s+- trigger: search_request)$/m, '$1_elsewhere'));
  assert.equal(readSearchShape(fewer).sourceActions, rules.length - 1);
});

test('the per-photo cost comes from the committed compare benchmark, times the default fine pass measured at 2048 px', () => {
  const fine = readFinePass();
  assert.ok(fine.factor > 1 && fine.range[0] <= fine.factor && fine.factor <= fine.range[1], JSON.stringify(fine));
  assert.ok(fine.source.startsWith(`bench/results/stage.json (${DEFAULT_FINE_VARIANT} over ${BEFORE_FINE_VARIANT}, 2048x1536, `), fine.source);
  const measured = readCost();
  assert.ok(measured.fineOffWarmMsPerPhoto > 0 && measured.coldExtraMs > 0);
  assert.equal(measured.warmMsPerPhoto, measured.fineOffWarmMsPerPhoto * fine.factor);
  assert.match(measured.source, /^bench\/results\/compare\.json \(/);
  // The compute bound follows the scaled cost, not the measured one.
  const compute = (c: { warmMsPerPhoto: number }) => estimate(1000, 10, ansible!, { ...c, coldExtraMs: 0 }, 12, search).bounds.compute;
  assert.ok(Math.abs(compute(measured) - compute({ warmMsPerPhoto: measured.fineOffWarmMsPerPhoto }) * fine.factor) < 1e-6);
});
