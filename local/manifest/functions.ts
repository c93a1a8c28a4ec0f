/**
 * One `functions.<key>` entry of serverless.yml compiled as serverless-openwhisk compiles it
 * (compile/functions, compile/rules): the action name from `name:` (else `<service>_<key>`), `handler:
 * <file>.<export>`, the kind from `runtime:` (`nodejs:default` when unset, `:default` appended when bare) or
 * `blackbox` with `image:`, limits with the plugin's defaults and `||` semantics, `web-export` implying `final`,
 * one rule per `trigger:` event named `<service>_<trigger>_to_<key>`, and per `schedule:` event (compile/schedule)
 * a trigger fed by the alarm feed, `<service>_<key>_schedule_trigger`, with rule `<service>_<key>_schedule_rule`. What the local platform cannot run is an
 * error naming the key, never a silently different deployment.
 */
import { ALARM_FEED, type ActionSpec, type RuleSpec, type TriggerSpec } from './types';
import { ManifestError } from './variables';

type Obj = Record<string, unknown>;

const SUPPORTED_KEYS = new Set(['name', 'handler', 'image', 'runtime', 'memory', 'timeout', 'concurrency', 'parameters', 'annotations', 'events', 'package', 'overwrite']);

/** OpenWhisk's default system limits (application.conf): what a stock deployment would accept. */
export const ACTION_LIMIT_RANGES = Object.freeze({
  memoryMb: { min: 128, max: 512 },
  timeoutMs: { min: 100, max: 300_000 },
  concurrency: { min: 1, max: 500 },
});

export function mapping(value: unknown, path: string): Obj {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ManifestError(path, `must be a mapping, got ${JSON.stringify(value)}`);
  return value as Obj;
}

/** The plugin's `fn.x || provider.x || fallback`: 0, '' and null fall through to the default. */
function number(fn: Obj, provider: Obj, key: string, path: string, fallback: number): number {
  const raw = fn[key] || provider[key] || fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) throw new ManifestError(`${path}.${key}`, `must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

function inRange(value: number, range: { min: number; max: number }, path: string, what: string, unit: string): number {
  if (value < range.min) throw new ManifestError(path, `${what} ${value}${unit} below allowed threshold of ${range.min}${unit} (OpenWhisk's default limits)`);
  if (value > range.max) throw new ManifestError(path, `${what} ${value}${unit} exceeds allowed threshold of ${range.max}${unit} (OpenWhisk's default limits)`);
  return value;
}

function kindOf(fn: Obj, provider: Obj, path: string): string {
  const runtime = String(fn.runtime ?? provider.runtime ?? 'nodejs:default');
  if (runtime === 'docker') throw new ManifestError(`${path}.runtime`, 'docker actions (the handler names an image) cannot run on the local platform; use a nodejs runtime with `image:`');
  if (!runtime.startsWith('nodejs')) throw new ManifestError(`${path}.runtime`, `"${runtime}" cannot run on the local platform: only nodejs actions (optionally with \`image:\`) run here`);
  if (fn.image !== undefined) return 'blackbox';
  return runtime.includes(':') ? runtime : `${runtime}:default`;
}

/** A `schedule:` event as the plugin's compile/schedule compiles it: `cron(m h dom mon dow)` or `{rate, trigger, rule, params, max}`. */
function scheduleOf(service: string, key: string, action: string, schedule: unknown, at: string): { rule: RuleSpec; trigger: TriggerSpec } {
  const long = typeof schedule === 'object' && schedule !== null ? (schedule as Obj) : undefined;
  const rate = long ? long.rate : schedule;
  const cron = typeof rate === 'string' ? /cron\((.*)\)/.exec(rate)?.[1] : undefined;
  if (!cron || cron.split(' ').length !== 5) throw new ManifestError(`${at}.schedule`, `Schedule event rate property value is invalid: ${JSON.stringify(rate)}; the correct syntax is "cron(_ _ _ _ _)"`);
  const triggerName = typeof long?.trigger === 'string' && long.trigger ? long.trigger : `${service}_${key}_schedule_trigger`;
  const ruleName = typeof long?.rule === 'string' && long.rule ? long.rule : `${service}_${key}_schedule_rule`;
  const parameters: Obj = { cron, trigger_payload: JSON.stringify(long?.params ?? {}) };
  if (long?.max) parameters.maxTriggers = long.max;
  return { rule: { name: ruleName, trigger: triggerName, action }, trigger: { name: triggerName, parameters: {}, feed: { action: ALARM_FEED, parameters } } };
}

function rulesOf(service: string, key: string, action: string, events: unknown, path: string): { rules: RuleSpec[]; feeds: TriggerSpec[] } {
  const feeds: TriggerSpec[] = [];
  if (events === undefined || events === null) return { rules: [], feeds };
  if (!Array.isArray(events)) throw new ManifestError(`${path}.events`, 'must be a list');
  const rules = events.map((event: unknown, i): RuleSpec => {
    const at = `${path}.events[${i}]`;
    const e = mapping(event, at);
    const trigger = e.trigger;
    if (e.schedule !== undefined) {
      const compiled = scheduleOf(service, key, action, e.schedule, at);
      feeds.push(compiled.trigger);
      return compiled.rule;
    }
    if (trigger === undefined) {
      throw new ManifestError(at, `${Object.keys(e).join(', ') || 'this'} events are not supported by the local platform: only \`trigger:\` and \`schedule:\` events are`);
    }
    if (typeof trigger === 'string' && trigger) return { name: `${service}_${trigger}_to_${key}`, trigger, action };
    const t = mapping(trigger, `${at}.trigger`);
    // The plugin insists on both in the long form.
    if (typeof t.name !== 'string' || !t.name) throw new ManifestError(`${at}.trigger.name`, 'is required (the trigger to bind)');
    if (!('rule' in t)) throw new ManifestError(`${at}.trigger.rule`, 'is required in the long form (serverless-openwhisk refuses to deploy without it)');
    return { name: typeof t.rule === 'string' && t.rule ? t.rule : `${service}_${t.name}_to_${key}`, trigger: t.name, action };
  });
  return { rules, feeds };
}

export function compileFunction(service: string, provider: Obj, key: string, fn: Obj): { action: ActionSpec; rules: RuleSpec[]; feeds: TriggerSpec[] } {
  const path = `functions.${key}`;
  if ('sequence' in fn) throw new ManifestError(`${path}.sequence`, 'sequences are not supported by the local platform');
  if ('namespace' in fn) throw new ManifestError(`${path}.namespace`, 'the local platform has one namespace; remove the per-function namespace');
  for (const field of Object.keys(fn)) {
    if (!SUPPORTED_KEYS.has(field)) throw new ManifestError(`${path}.${field}`, 'is not supported by the local platform');
  }
  const kind = kindOf(fn, provider, path);
  const handler = fn.handler;
  if (typeof handler !== 'string' || !/^[^\s]+\.[A-Za-z_$][\w$]*$/.test(handler)) {
    throw new ManifestError(`${path}.handler`, `must be "<file without .js>.<exported function>", got ${JSON.stringify(handler)}`);
  }
  const dot = handler.lastIndexOf('.');
  const name = typeof fn.name === 'string' && fn.name ? fn.name : `${service}_${key}`;
  if (!/^[\w@.-]+(\/[\w@.-]+)?$/.test(name)) throw new ManifestError(`${path}.name`, `"${name}" is not an action name ("action" or "package/action")`);
  if (fn.image !== undefined && (typeof fn.image !== 'string' || !fn.image)) throw new ManifestError(`${path}.image`, `must be an image name, got ${JSON.stringify(fn.image)}`);
  const annotations = { ...mapping(fn.annotations, `${path}.annotations`) };
  // The plugin finalises the parameters of web actions, mirroring the wsk CLI.
  if (annotations['web-export']) annotations.final = true;
  const timeoutMs = Math.round(number(fn, provider, 'timeout', path, 60) * 1000);
  const action: ActionSpec = {
    name,
    functionName: key,
    handlerFile: `${handler.slice(0, dot)}.js`,
    main: handler.slice(dot + 1),
    kind,
    image: typeof fn.image === 'string' ? fn.image : undefined,
    limits: {
      timeout: inRange(timeoutMs, ACTION_LIMIT_RANGES.timeoutMs, `${path}.timeout`, 'duration', ' milliseconds'),
      memory: inRange(number(fn, provider, 'memory', path, 256), ACTION_LIMIT_RANGES.memoryMb, `${path}.memory`, 'memory size', ' MB'),
      concurrency: inRange(number(fn, provider, 'concurrency', path, 1), ACTION_LIMIT_RANGES.concurrency, `${path}.concurrency`, 'concurrency', ''),
    },
    parameters: { ...mapping(fn.parameters, `${path}.parameters`) },
    annotations,
  };
  if (!Number.isInteger(action.limits.memory)) throw new ManifestError(`${path}.memory`, `must be whole megabytes, got ${action.limits.memory}`);
  if (!Number.isInteger(action.limits.concurrency)) throw new ManifestError(`${path}.concurrency`, `must be a whole number, got ${action.limits.concurrency}`);
  return { action, ...rulesOf(service, key, name, fn.events, path) };
}
