/**
 * Triggers and rules through the real `openwhisk` client: a fire starts every rule's action asynchronously with
 * the trigger's parameters, and its own activation lists the rule activations, as OpenWhisk records it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivationRecord } from '../local/activations';
import type { RuleResult } from '../local/platform-core';
import { basicAuth, fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const { ow, platform, apiHost, apiKey } = await usePlatform({
  manifest: fixtureManifest(
    [
      fixtureAction('echo', { parameters: { fromAction: 'a', shared: 'action' } }),
      fixtureAction('slow'),
      fixtureAction('fire', { annotations: { 'provide-api-key': true } }),
      fixtureAction('guarded', { handlerFile: 'test/fixtures/actions/echo.js', parameters: { secret: 'kept' }, annotations: { final: true } }),
    ],
    {
      packages: { fixtures: { fromPackage: 'p', shared: 'package' } },
      triggers: [
        { name: 'photo', parameters: {} },
        { name: 'lonely', parameters: {} },
        { name: 'inner', parameters: {} },
        { name: 'protected', parameters: {} },
      ],
      rules: [
        { name: 'fixtures_photo_to_echo', trigger: 'photo', action: 'fixtures/echo' },
        { name: 'fixtures_photo_to_slow', trigger: 'photo', action: 'fixtures/slow' },
        { name: 'fixtures_inner_to_echo', trigger: 'inner', action: 'fixtures/echo' },
        { name: 'fixtures_protected_to_guarded', trigger: 'protected', action: 'fixtures/guarded' },
        { name: 'fixtures_protected_to_echo', trigger: 'protected', action: 'fixtures/echo' },
      ],
    },
  ),
});

/** The record of an activation, once it has finished (bounded wait). */
async function finished(id: string): Promise<ActivationRecord> {
  for (let i = 0; i < 400; i++) {
    const record = await ow.activations.get({ name: id }).catch(() => undefined);
    if (record) return record as ActivationRecord;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`activation ${id} never finished`);
}

test('a trigger with two rules runs both actions asynchronously with the trigger parameters; the records are served', async () => {
  const fired = await ow.triggers.invoke({ name: 'photo', params: { jobId: 'j1', shared: 'trigger', ms: 700 } });
  assert.match(fired.activationId, /^[0-9a-f]{32}$/);
  const trigger = (await ow.activations.get({ name: fired.activationId })) as ActivationRecord;
  const rules = trigger.logs.map((line) => JSON.parse(line) as RuleResult);
  const slowId = rules.find((r) => r.action === 'guest/fixtures/slow')!.activationId!;
  assert.equal(platform.store.get(slowId), undefined, 'the fire answered before the slow action finished');
  assert.deepEqual(rules.map((r) => Object.keys(r)), [
    ['rule', 'action', 'statusCode', 'success', 'activationId'],
    ['rule', 'action', 'statusCode', 'success', 'activationId'],
  ]);
  assert.deepEqual(rules.map((r) => [r.rule, r.action, r.statusCode, r.success]).sort(), [
    ['guest/fixtures_photo_to_echo', 'guest/fixtures/echo', 0, true],
    ['guest/fixtures_photo_to_slow', 'guest/fixtures/slow', 0, true],
  ]);
  // The trigger's own record: its payload as result, no end and no duration, as OpenWhisk records a fire.
  assert.equal(trigger.name, 'photo');
  assert.deepEqual(trigger.response.result, { jobId: 'j1', shared: 'trigger', ms: 700 });
  assert.equal(trigger.response.status, 'success');
  assert.equal('end' in trigger, false);
  assert.equal('duration' in trigger, false);
  assert.deepEqual(trigger.annotations, []);

  const echoId = rules.find((r) => r.action === 'guest/fixtures/echo')!.activationId!;
  const [echo, slow] = await Promise.all([finished(echoId), finished(slowId)]);
  const params = (echo.response.result as { params: Record<string, unknown> }).params;
  assert.equal(params.jobId, 'j1');
  assert.equal(params.shared, 'trigger', 'the trigger parameters are merged over the action and package ones');
  assert.equal(params.fromAction, 'a');
  assert.equal(params.fromPackage, 'p');
  // OpenWhisk 2.0 passes the fire request's headers (Triggers.scala, PR #5273): the client's key among them.
  const headers = params.__ow_headers as Record<string, string>;
  assert.equal(headers.authorization, basicAuth(apiKey));
  assert.equal('content-type' in headers || 'content-length' in headers, false, 'the entity headers stay out, as Pekko keeps them out of the header list');
  assert.equal('__ow_headers' in (trigger.response.result as object), false, "the trigger's own record has the payload alone");
  assert.deepEqual(slow.response.result, { waited: 700 });
  const listed = await ow.activations.list({ name: 'photo' });
  assert.deepEqual(
    listed.map((a: { activationId: string }) => a.activationId),
    [fired.activationId],
  );
});

test("a fire's headers reach the rule's action as __ow_headers, lower-cased, without the entity's; a payload's own __ow_headers wins", async () => {
  const fire = (body: unknown) =>
    fetch(`${apiHost}/api/v1/namespaces/_/triggers/inner`, {
      method: 'POST',
      headers: { authorization: basicAuth(apiKey), 'content-type': 'application/json', 'X-GitHub-Event': 'push', 'x-twice': 'one' },
      body: JSON.stringify(body),
    });
  const paramsOf = async (response: Response) => {
    assert.equal(response.status, 202);
    const { activationId } = (await response.json()) as { activationId: string };
    const trigger = (await ow.activations.get({ name: activationId })) as ActivationRecord;
    const [rule] = trigger.logs.map((line) => JSON.parse(line) as RuleResult);
    return { trigger, params: ((await finished(rule!.activationId!)).response.result as { params: Record<string, unknown> }).params };
  };
  const { trigger, params } = await paramsOf(await fire({ n: 1 }));
  const headers = params.__ow_headers as Record<string, string>;
  assert.equal(headers['x-github-event'], 'push');
  assert.equal(headers['x-twice'], 'one');
  assert.equal(headers.authorization, basicAuth(apiKey));
  assert.match(headers.host ?? '', /^127\.0\.0\.1:\d+$/);
  assert.deepEqual(Object.keys(headers).filter((h) => h !== h.toLowerCase() || /^content-|^transfer-encoding$/.test(h)), []);
  assert.equal(params.n, 1);
  assert.deepEqual(trigger.response.result, { n: 1 });
  const own = await paramsOf(await fire({ __ow_headers: { mine: 'yes' } }));
  assert.deepEqual(own.params.__ow_headers, { mine: 'yes' }, 'the payload is merged over the headers, as Triggers.scala merges it');
});

test('a trigger without rules answers 204 and records nothing; an unknown trigger is 404', async () => {
  const before = platform.store.all().length;
  const result = await ow.triggers.invoke({ name: 'lonely', params: {} });
  assert.equal(result.activationId, undefined);
  assert.equal(platform.store.all().length, before);
  const missing = await ow.triggers.invoke({ name: 'nope' }).catch((e: { statusCode: number }) => e);
  assert.equal((missing as { statusCode: number }).statusCode, 404);
});

test('a rule whose action refuses the payload is recorded in the trigger activation; the other rule runs', async () => {
  const fired = await ow.triggers.invoke({ name: 'protected', params: { secret: 'overridden?' } });
  const trigger = (await ow.activations.get({ name: fired.activationId })) as ActivationRecord;
  const rules = Object.fromEntries(trigger.logs.map((line) => JSON.parse(line) as RuleResult).map((r) => [r.action, r]));
  assert.deepEqual(rules['guest/fixtures/guarded'], {
    rule: 'guest/fixtures_protected_to_guarded',
    action: 'guest/fixtures/guarded',
    statusCode: 1,
    success: false,
    error: 'Request defines parameters that are not allowed (e.g., reserved properties).',
  });
  const echo = await finished(rules['guest/fixtures/echo']!.activationId!);
  assert.equal((echo.response.result as { params: { secret: string } }).params.secret, 'overridden?');
});

test('an action can fire a trigger with the openwhisk client and only the __OW_* variables', async () => {
  const result = await ow.actions.invoke({ name: 'fixtures/fire', blocking: true, result: true, params: { trigger: 'inner' } });
  assert.match(result.fired.activationId, /^[0-9a-f]{32}$/);
  const inner = (await ow.activations.get({ name: result.fired.activationId })) as ActivationRecord;
  assert.deepEqual(inner.response.result, { from: 'inside' });
});

test('the 61st trigger fire inside a minute is answered 429 with the default limit', async () => {
  const fresh = await usePlatform({ manifest: fixtureManifest([], { triggers: [{ name: 'lonely', parameters: {} }] }) });
  assert.equal(fresh.platform.core.throttles.limits.firesPerMinute, 60, 'the default limit');
  for (let i = 0; i < 60; i++) await fresh.ow.triggers.invoke({ name: 'lonely' });
  const refused = await fresh.ow.triggers.invoke({ name: 'lonely' }).catch((e: { statusCode: number; error: { error: string; code: string } }) => e);
  assert.equal((refused as { statusCode: number }).statusCode, 429);
  assert.equal((refused as { error: { error: string } }).error.error, 'Too many requests in the last minute (count: 61, allowed: 60).');
  assert.match((refused as { error: { code: string } }).error.code, /^\w+$/, 'OpenWhisk error bodies carry a code');
});

test('rule activations count as invocations: over the namespace limit a rule is refused with 429 in the trigger record', async () => {
  const tight = await usePlatform({
    manifest: fixtureManifest([fixtureAction('echo')], {
      triggers: [{ name: 'many', parameters: {} }],
      rules: ['a', 'b', 'c'].map((r) => ({ name: `rule_${r}`, trigger: 'many', action: 'fixtures/echo' })),
    }),
    limits: { invocationsPerMinute: 2 },
  });
  const fired = await tight.ow.triggers.invoke({ name: 'many' });
  const trigger = (await tight.ow.activations.get({ name: fired.activationId })) as ActivationRecord;
  const results = trigger.logs.map((line) => JSON.parse(line) as RuleResult);
  assert.deepEqual(
    results.map((r) => r.success),
    [true, true, false],
  );
  assert.deepEqual(results[2], { rule: 'guest/rule_c', action: 'guest/fixtures/echo', statusCode: 1, success: false, error: 'Too many requests in the last minute (count: 3, allowed: 2).' });
});
