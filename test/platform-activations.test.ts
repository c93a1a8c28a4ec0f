/** The activation store keeps the newest records within a count and a size, dropping the oldest first. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivationStore, activationResponse, newActivationId, type ActivationRecord } from '../local/activations';

function record(logBytes: number, start: number): ActivationRecord {
  return {
    namespace: 'guest',
    name: 'chatty',
    version: '0.0.1',
    subject: 'guest',
    activationId: newActivationId(),
    start,
    end: start,
    duration: 0,
    statusCode: 0,
    response: activationResponse(0, { ok: true }),
    logs: ['x'.repeat(logBytes)],
    annotations: [],
    publish: false,
  };
}

test('records are dropped oldest first once their logs and results pass the size budget', () => {
  const store = new ActivationStore(100, 10_000);
  const added = Array.from({ length: 5 }, (_, i) => record(3000, i));
  for (const r of added) store.add(r);
  assert.deepEqual(
    store.all().map((r) => r.start),
    [2, 3, 4],
    'three records of ≈ 3 kB fit in 10 kB; the two oldest went',
  );
  assert.equal(store.get(added[0]!.activationId), undefined);
  const huge = record(50_000, 9);
  store.add(huge);
  assert.deepEqual(store.all(), [huge], 'the newest record is kept even alone over the budget');
});

test('the count still binds when records are small', () => {
  const store = new ActivationStore(2);
  for (let i = 0; i < 4; i++) store.add(record(10, i));
  assert.deepEqual(
    store.all().map((r) => r.start),
    [2, 3],
  );
});
