import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivationRecord } from '../local/activations';
import { fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const { ow, platform } = await usePlatform({
  manifest: fixtureManifest([fixtureAction('echo'), fixtureAction('counter'), fixtureAction('fire')], {
    triggers: [
      { name: 'photo', parameters: { fromTrigger: 't' } },
      { name: 'lonely', parameters: {} },
      { name: 'inner', parameters: {} },
    ],
    rules: [
      { name: 'fixtures_photo_to_echo', trigger: 'photo', action: 'fixtures/echo' },
      { name: 'fixtures_photo_to_counter', trigger: 'photo', action: 'fixtures/counter' },
      { name: 'fixtures_inner_to_echo', trigger: 'inner', action: 'fixtures/echo' },
    ],
  }),
});

async function waitFor(id: string): Promise<ActivationRecord> {
  for (let i = 0; i < 200; i++) {
    const record = platform.store.get(id);
    if (record) return record;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`activation ${id} never finished`);
}

test('firing a trigger with two rules runs both actions asynchronously with the trigger parameters', async () => {
  const fired = await ow.triggers.invoke({ name: 'photo', params: { jobId: 'j1' } });
  assert.match(fired.activationId, /^[0-9a-f]{32}$/);
  const triggerRecord = await ow.activations.get({ name: fired.activationId });
  assert.equal(triggerRecord.name, 'photo');
  const rules = triggerRecord.logs.map((line: string) => JSON.parse(line));
  assert.deepEqual(rules.map((r: { rule: string }) => r.rule).sort(), ['guest/fixtures_photo_to_counter', 'guest/fixtures_photo_to_echo']);
  assert.ok(rules.every((r: { success: boolean }) => r.success));
  const echoId = rules.find((r: { action: string }) => r.action === 'guest/fixtures/echo').activationId;
  const counterId = rules.find((r: { action: string }) => r.action === 'guest/fixtures/counter').activationId;
  const [echo, counter] = await Promise.all([waitFor(echoId), waitFor(counterId)]);
  const params = (echo.response.result as { params: Record<string, unknown> }).params;
  assert.equal(params.jobId, 'j1');
  assert.equal(params.fromTrigger, 't');
  assert.equal(typeof params.__ow_headers, 'object', 'trigger-fired actions see the fire request headers, as on OpenWhisk');
  assert.equal(counter.response.status, 'success');
  const fetched = (await ow.activations.get({ name: echoId })) as unknown as ActivationRecord;
  assert.equal(fetched.cause, fired.activationId);
});

test('a trigger without rules answers 204 and records nothing', async () => {
  const before = platform.store.all().length;
  const result = await ow.triggers.invoke({ name: 'lonely', params: {} });
  assert.equal(result.activationId, undefined);
  assert.equal(platform.store.all().length, before);
  const missing = await ow.triggers.invoke({ name: 'nope' }).catch((e: { statusCode: number }) => e);
  assert.equal((missing as { statusCode: number }).statusCode, 404);
});

test('an action can fire a trigger with the openwhisk client and only the __OW_* variables', async () => {
  const result = await ow.actions.invoke({ name: 'fixtures/fire', blocking: true, result: true, params: { trigger: 'inner' } });
  assert.match(result.fired.activationId, /^[0-9a-f]{32}$/);
});

test('the 61st trigger fire inside a minute is answered 429 with the default limit', async () => {
  const fresh = await usePlatform({ manifest: fixtureManifest([], { triggers: [{ name: 'lonely', parameters: {} }] }) });
  for (let i = 0; i < 60; i++) await fresh.ow.triggers.invoke({ name: 'lonely' });
  const refused = await fresh.ow.triggers.invoke({ name: 'lonely' }).catch((e: { statusCode: number; error: { error: string } }) => e);
  assert.equal((refused as { statusCode: number }).statusCode, 429);
  assert.equal((refused as { error: { error: string } }).error.error, 'Too many requests in the last minute (count: 61, allowed: 60).');
});
