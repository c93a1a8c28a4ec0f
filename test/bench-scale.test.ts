/** The scale model of bench/scale.ts: counts from the batching rule, and which limit binds. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimate, LIMITS, readCost } from '../bench/scale';

const [ansible, kube] = LIMITS;
const cost = { warmMsPerPhoto: 500, coldExtraMs: 1000, source: 'test' };

test('1,000 photos at 10 per event: 101 fires, 100 compare_images invocations, and the fire rate binds once polling backs off', () => {
  const e = estimate(1000, 100, ansible!, cost, 12);
  assert.deepEqual([e.fires, e.compareInvocations, e.effectiveContainers], [101, 100, 100]);
  assert.equal(e.containerSeconds, 1000 * 0.5 + 100 * 1);
  assert.equal(e.bounds.compute, 5 + 1, 'one round of 10-photo events plus a cold start');
  assert.equal(e.binding, 'trigger fires per minute');
  assert.equal(e.seconds, 101);
});

test("deploy-kube: 30 concurrent caps the containers, and 1 s polling alone uses up its 60 invocations a minute", () => {
  const capped = estimate(1000, 100, kube!, cost, 12);
  assert.equal(capped.effectiveContainers, 30);
  assert.equal(capped.binding, 'invokes per minute');
  assert.equal(estimate(1000, 10, kube!, cost, 60).seconds, Number.POSITIVE_INFINITY);
});

test('the per-photo cost comes from the committed compare benchmark', () => {
  const measured = readCost();
  assert.ok(measured.warmMsPerPhoto > 0 && measured.coldExtraMs > 0);
  assert.match(measured.source, /^bench\/results\/compare\.json \(/);
});
