/**
 * The alarm feed (/whisk.system/alarms/alarm) on the local platform: a `schedule:` event compiles as
 * serverless-openwhisk compiles it, the platform binds the feed when it starts (as a deploy does), the feed
 * action's lifecycle works through the real `openwhisk` client, and the provider fires the trigger on the minutes
 * its cron matches — driven here with `fireDue(at)`, no minute-long waits.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCron } from '../local/feeds/cron';
import { readServerlessYml } from '../local/manifest/serverless';
import { ALARM_FEED } from '../local/manifest/types';
import { eventually } from './helpers/eventually';
import { basicAuth, fixtureAction, fixtureManifest, PROJECT_ROOT, usePlatform } from './helpers/platform';

const { ow, platform } = await usePlatform({
  alarmClock: false,
  manifest: fixtureManifest([fixtureAction('echo')], {
    triggers: [
      { name: 'every_minute', parameters: {}, feed: { action: ALARM_FEED, parameters: { cron: '* * * * *', trigger_payload: '{"from":"alarm"}' } } },
      { name: 'bound_later', parameters: {} },
    ],
    rules: [
      { name: 'fixtures_every_minute_to_echo', trigger: 'every_minute', action: 'fixtures/echo' },
      { name: 'fixtures_bound_later_to_echo', trigger: 'bound_later', action: 'fixtures/echo' },
    ],
  }),
});

const echoes = (trigger: string) => platform.store.all().filter((r) => r.name === trigger);

test('cron: fields, ranges, steps and lists match the minutes they name (UTC)', () => {
  const at = (iso: string) => new Date(`${iso}Z`);
  assert.equal(parseCron('* * * * *').matches(at('2026-12-02T21:07:00')), true);
  assert.equal(parseCron('*/5 * * * *').matches(at('2026-12-02T21:05:30')), true);
  assert.equal(parseCron('*/5 * * * *').matches(at('2026-12-02T21:06:00')), false);
  assert.equal(parseCron('0,30 9-17 * * 1-5').matches(at('2026-12-02T09:30:00')), true, 'a Wednesday');
  assert.equal(parseCron('0,30 9-17 * * 1-5').matches(at('2026-12-06T09:30:00')), false, 'a Sunday');
  assert.equal(parseCron('0 0 1 * 7').matches(at('2026-12-06T00:00:00')), true, 'dom or dow when both are set; 7 is Sunday');
  assert.throws(() => parseCron('* * * *'), /must have 5 fields/);
  assert.throws(() => parseCron('61 * * * *'), /minute "61" is outside 0–59/);
});

test("serverless.yml's schedule event compiles to a trigger fed by the alarm feed, and a rule to sweep_jobs", () => {
  const manifest = readServerlessYml(join(PROJECT_ROOT, 'serverless.yml'), {});
  const trigger = manifest.triggers.find((t) => t.name === 'findme_sweep_jobs_schedule_trigger');
  assert.deepEqual(trigger?.feed, { action: ALARM_FEED, parameters: { cron: '* * * * *', trigger_payload: '{}' } });
  assert.deepEqual(
    manifest.rules.find((r) => r.trigger === trigger?.name),
    { name: 'findme_sweep_jobs_schedule_rule', trigger: 'findme_sweep_jobs_schedule_trigger', action: 'findme/sweep_jobs' },
  );
});

test('the platform binds a feed at start: the provider fires the trigger with its payload on each matching minute', async () => {
  const before = echoes('echo').length;
  assert.equal(platform.core.alarms.fireDue(new Date()), 1);
  await eventually(() => echoes('echo').length > before, 20_000, () => 'the rule never ran');
  const record = echoes('every_minute').at(-1);
  assert.deepEqual(record?.response.result, { from: 'alarm' });
  const result = echoes('echo').at(-1)?.response.result as { params: Record<string, unknown> };
  assert.equal(result.params.from, 'alarm');
  // The provider's POST carries the feed's key (here the platform's), and its rule's action sees it.
  assert.deepEqual(result.params.__ow_headers, { authorization: basicAuth(platform.apiKey), accept: 'application/json' });
});

test('the feed action through the openwhisk client: CREATE binds a cron (with maxTriggers), READ shows it, DELETE unbinds it, a bad cron is refused', async () => {
  await ow.feeds.create({ name: ALARM_FEED, trigger: 'bound_later', params: { cron: '*/5 * * * *', maxTriggers: 1 } });
  assert.equal((platform.core.alarms.lifecycle({ lifecycleEvent: 'READ', triggerName: '/guest/bound_later' }).config as { cron: string }).cron, '*/5 * * * *');
  const fires = () => echoes('bound_later').length;
  platform.core.alarms.fireDue(new Date('2026-12-02T21:06:00Z'));
  assert.equal(fires(), 0, 'minute 6 does not match */5');
  platform.core.alarms.fireDue(new Date('2026-12-02T21:10:00Z'));
  assert.equal(fires(), 1);
  platform.core.alarms.fireDue(new Date('2026-12-02T21:15:00Z'));
  assert.equal(fires(), 1, 'maxTriggers: 1');
  await ow.feeds.create({ name: ALARM_FEED, trigger: 'bound_later', params: { cron: '* * * * *' } });
  await ow.feeds.delete({ name: ALARM_FEED, trigger: 'bound_later' });
  platform.core.alarms.fireDue(new Date());
  assert.equal(fires(), 1, 'no fire after DELETE');
  await assert.rejects(ow.feeds.create({ name: ALARM_FEED, trigger: 'bound_later', params: { cron: 'every minute' } }), /cron "every minute" must have 5 fields/);
});
