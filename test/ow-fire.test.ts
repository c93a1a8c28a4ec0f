/** fireTrigger against the local platform through the real `openwhisk` client. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { owConfig } from '../actions/lib/config';
import { Deadline } from '../actions/lib/ow/deadline';
import { FIRE_TIMEOUT_MS, FireError, fireTrigger } from '../actions/lib/ow/fire';
import { eventually } from './helpers/eventually';
import { fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';
import { ACTIVATION_ID, asController, useSelfSignedController } from './helpers/self-signed';

const { ow, platform } = await usePlatform({
  manifest: fixtureManifest([fixtureAction('echo')], {
    triggers: [
      { name: 'photo', parameters: {} },
      { name: 'lonely', parameters: {} },
    ],
    rules: [{ name: 'fixtures_photo_to_echo', trigger: 'photo', action: 'fixtures/echo' }],
  }),
});

const fires = (name: string) => platform.store.all().filter((r) => r.name === name).length;

test('a fire that a rule takes up returns the trigger activation id', async () => {
  assert.match(await fireTrigger('photo', { jobId: 'j1' }, { client: ow }), /^[0-9a-f]{32}$/);
});

test('a trigger without an active rule is a FireError, not a silent success (OpenWhisk answers 204)', async () => {
  await assert.rejects(fireTrigger('lonely', { jobId: 'j2' }, { client: ow }), (error: unknown) => {
    assert.ok(error instanceof FireError);
    assert.equal(error.message, 'firing lonely failed: no active rule for trigger lonely');
    assert.equal(error.statusCode, 204);
    return true;
  });
});

test("no fire is started that could run past the activation's deadline or into the caller's reserve", async () => {
  const before = fires('photo');
  await assert.rejects(fireTrigger('photo', {}, { client: ow, deadline: new Deadline(Date.now()) }), /firing photo failed: no time left before the activation's deadline/);
  // A deadline that leaves room for a fire, but not for a fire and the caller's writes after it.
  const deadline = new Deadline(Date.now() + 5000 + FIRE_TIMEOUT_MS + 2000);
  await assert.rejects(fireTrigger('photo', {}, { client: ow, deadline, reserveMs: 5000 }), /no time left/);
  assert.equal(fires('photo'), before, 'nothing was fired');
});

test('__OW_IGNORE_CERTS: a controller with a self-signed certificate refuses the fire unless ignoreCerts is set, then the fire goes through', async () => {
  const controller = await useSelfSignedController();
  await asController(controller, async () => {
    await assert.rejects(fireTrigger('photo', {}), (error: unknown) => error instanceof FireError && /self[- ]signed/i.test(error.message));
    assert.deepEqual(controller.calls, [], 'the certificate check stopped it before any request');
    assert.equal(await fireTrigger('photo', {}, owConfig({ __OW_IGNORE_CERTS: 'true' })), ACTIVATION_ID);
  });
  // The fire, then (with the same certificate rule) the reads of its trigger activation record.
  assert.equal(controller.calls[0], 'POST /api/v1/namespaces/_/triggers/photo');
  assert.ok(controller.calls.slice(1).every((call) => call === `GET /api/v1/namespaces/_/activations/${ACTIVATION_ID}`), controller.calls.join(', '));
});

test("a 202 behind which the rule's invocation was throttled is read from the trigger's record and fired again until the rule takes it", { timeout: 60_000 }, async () => {
  const throttled = await usePlatform({
    limits: { invocationsPerMinute: 2, windowMs: 3000 },
    manifest: fixtureManifest([fixtureAction('echo')], {
      triggers: [{ name: 'photo', parameters: {} }],
      rules: [{ name: 'fixtures_photo_to_echo', trigger: 'photo', action: 'fixtures/echo' }],
    }),
  });
  const retries: Array<number | undefined> = [];
  for (let i = 0; i < 3; i++) await fireTrigger('photo', { n: i }, { client: throttled.ow, deadline: new Deadline(Date.now() + 60_000), onRetry: (_a, _w, status) => retries.push(status) });
  const triggers = throttled.platform.store.all().filter((r) => r.name === 'photo');
  const refused = triggers.filter((r) => r.logs.some((line) => (JSON.parse(line) as { success: boolean }).success === false));
  assert.ok(refused.length >= 1, 'the third fire was answered 202 with its rule refused');
  assert.ok(retries.length >= 1 && retries.every((s) => s === 429), `retried as a 429: ${retries.join(', ')}`);
  const echoes = () => throttled.platform.store.all().filter((r) => r.name === 'echo');
  // The rule's activations end after the fires are answered: wait for a third, then check no event ran twice.
  await eventually(() => echoes().length >= 3 && throttled.platform.running('fixtures/echo') === 0, 10_000, () => `${echoes().length} echo activations`);
  const ran = echoes().map((r) => (r.response.result as { params: { n: number } }).params.n);
  assert.deepEqual(ran.sort(), [0, 1, 2], 'every event reached the action');
  console.log(`# 3 fires at 2 invocations per 3 s: ${triggers.length} trigger activations, ${refused.length} with the rule refused, ${retries.length} re-fires`);
});
