/**
 * The `/whisk.system/alarms/alarm` feed as apache/openwhisk-package-alarms runs it: the feed action takes
 * `lifecycleEvent` CREATE (with `triggerName`, `authKey`, `cron`, `trigger_payload`, `maxTriggers`), READ,
 * DELETE, UPDATE; its provider fires the trigger at each minute the cron matches, with the payload, until
 * maxTriggers fires have been made. Here the provider fires through the platform core (charged to the namespace's
 * fire limit, as the real provider's POST is), with the headers that POST carries into `__ow_headers` (the
 * `request` library's `auth` and `json`: Basic authorization with the feed's authKey, `accept: application/json`;
 * its `host` and what a proxy adds are not imitated). Tests call `fireDue(at)` instead of waiting for a minute.
 */
import { parseCron, type Cron } from './cron';

export class FeedError extends Error {
  override readonly name = 'FeedError';
}

interface Alarm {
  triggerName: string;
  cron: Cron;
  payload: Record<string, unknown>;
  authKey: string;
  /** -1: no limit. */
  maxTriggers: number;
  fired: number;
}

export type FireAlarm = (triggerName: string, payload: Record<string, unknown>, headers: Record<string, string>) => void;

function payloadOf(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === '') return {};
  const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FeedError('trigger_payload must be a JSON object');
  return value as Record<string, unknown>;
}

export class AlarmFeed {
  private readonly alarms = new Map<string, Alarm>();
  private timer: NodeJS.Timeout | undefined;
  private lastMinute = -1;

  constructor(
    private readonly fire: FireAlarm,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The feed action: answers as the alarms package's does, or throws a FeedError naming the parameter. */
  lifecycle(params: Record<string, unknown>): Record<string, unknown> {
    const event = String(params.lifecycleEvent ?? '').toUpperCase();
    const triggerName = params.triggerName;
    if (typeof triggerName !== 'string' || !/^\/[^/]+\/[^/]+$/.test(triggerName)) throw new FeedError('triggerName must be "/<namespace>/<trigger>"');
    if (event === 'DELETE') {
      this.alarms.delete(triggerName);
      return { status: 'success' };
    }
    if (event === 'READ') {
      const alarm = this.alarms.get(triggerName);
      if (!alarm) throw new FeedError(`no alarm for trigger ${triggerName}`);
      return { config: { name: triggerName, cron: alarm.cron.text, payload: alarm.payload, maxTriggers: alarm.maxTriggers }, status: { active: true } };
    }
    if (event !== 'CREATE' && event !== 'UPDATE') throw new FeedError(`lifecycleEvent must be CREATE, READ, UPDATE or DELETE, got ${JSON.stringify(params.lifecycleEvent)}`);
    if (typeof params.authKey !== 'string' || !params.authKey.includes(':')) throw new FeedError('authKey (uuid:key) is required');
    if (typeof params.cron !== 'string') throw new FeedError('cron is required');
    const max = params.maxTriggers === undefined ? -1 : Number(params.maxTriggers);
    if (!Number.isInteger(max) || max === 0 || max < -1) throw new FeedError('maxTriggers must be a positive whole number (or -1)');
    this.alarms.set(triggerName, { triggerName, cron: parseCron(params.cron), payload: payloadOf(params.trigger_payload), authKey: params.authKey, maxTriggers: max, fired: 0 });
    return { status: 'success' };
  }

  /** Fires every alarm whose cron matches the minute of `at` (once per alarm per call); returns how many fired. */
  fireDue(at: Date = new Date()): number {
    let fired = 0;
    for (const alarm of this.alarms.values()) {
      if (!alarm.cron.matches(at)) continue;
      if (alarm.maxTriggers !== -1 && alarm.fired >= alarm.maxTriggers) continue;
      alarm.fired += 1;
      fired += 1;
      try {
        this.fire(alarm.triggerName, alarm.payload, { authorization: `Basic ${Buffer.from(alarm.authKey).toString('base64')}`, accept: 'application/json' });
      } catch (error) {
        // The real provider logs a refused fire (a 429) and tries at the next match; so does this one.
        this.log(`alarm ${alarm.triggerName}: fire refused: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return fired;
  }

  /** Checks the clock every `checkMs` and fires once per matching minute. */
  start(checkMs = 1000): void {
    this.timer ??= setInterval(() => {
      const now = new Date();
      const minute = Math.floor(now.getTime() / 60_000);
      if (minute === this.lastMinute) return;
      this.lastMinute = minute;
      this.fireDue(now);
    }, checkMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.alarms.clear();
  }
}
