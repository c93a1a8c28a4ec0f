/** fireTrigger against the local platform through the real `openwhisk` client. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Deadline } from '../actions/lib/ow/deadline';
import { FIRE_TIMEOUT_MS, FireError, fireTrigger } from '../actions/lib/ow/fire';
import { fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

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
