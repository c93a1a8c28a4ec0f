/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), as the alarms package's `cron`
 * parameter takes them: `*`, numbers, ranges `a-b`, steps `* /n` and `a-b/n`, lists `a,b`. Day-of-month and
 * day-of-week follow cron's rule: when both are restricted, either matching is enough. Times are UTC.
 */
export class CronError extends Error {
  override readonly name = 'CronError';
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

export interface Cron {
  text: string;
  matches(at: Date): boolean;
}

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronError(`cron ${field.name} "${part}" is not *, a number, a range or a step`);
    const from = m[1] === '*' ? field.min : Number(m[2]);
    const to = m[1] === '*' ? field.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? field.max : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < field.min || to > field.max || from > to || step < 1) throw new CronError(`cron ${field.name} "${part}" is outside ${field.min}–${field.max}`);
    for (let v = from; v <= to; v += step) values.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return values;
}

export function parseCron(text: string): Cron {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) throw new CronError(`cron "${text}" must have 5 fields (minute hour day-of-month month day-of-week)`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  const domAny = parts[2] === '*';
  const dowAny = parts[4] === '*';
  return {
    text,
    matches(at) {
      if (!minute!.has(at.getUTCMinutes()) || !hour!.has(at.getUTCHours()) || !month!.has(at.getUTCMonth() + 1)) return false;
      const byDom = dom!.has(at.getUTCDate());
      const byDow = dow!.has(at.getUTCDay());
      if (domAny || dowAny) return (domAny || byDom) && (dowAny || byDow);
      return byDom || byDow;
    },
  };
}
