/**
 * Reads serverless.yml into a Manifest exactly as serverless-openwhisk compiles it: action names from `name:`
 * (else `<service>_<function>`), `handler: file.main`, timeout in seconds → ms, memory 256 and concurrency 1 by
 * default, `image:` → kind blackbox, `web-export: true` → `final: true`, one rule per trigger event named
 * `<service>_<trigger>_to_<function>`, package parameters from `resources.packages`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ActionSpec, Manifest, RuleSpec, TriggerSpec } from './types';
import { ManifestError, resolveVariables } from './variables';

type Obj = Record<string, unknown>;

const FUNCTION_KEYS = new Set(['name', 'handler', 'image', 'runtime', 'memory', 'timeout', 'concurrency', 'parameters', 'annotations', 'events', 'package', 'overwrite']);

function object(value: unknown, path: string, optional = true): Obj {
  if (value === undefined || value === null) {
    if (optional) return {};
    throw new ManifestError(path, 'is required');
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new ManifestError(path, 'must be a mapping');
  return value as Obj;
}

function positive(value: unknown, path: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ManifestError(path, `must be a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}

function compileFunction(service: string, provider: Obj, key: string, fn: Obj): { action: ActionSpec; rules: RuleSpec[] } {
  const path = `functions.${key}`;
  for (const field of Object.keys(fn)) {
    if (!FUNCTION_KEYS.has(field)) throw new ManifestError(`${path}.${field}`, 'is not supported by the local platform');
  }
  if (typeof fn.handler !== 'string' || !/^[^.]+(\.[^.]+)*\.[A-Za-z_$][\w$]*$/.test(fn.handler)) {
    throw new ManifestError(`${path}.handler`, 'must be "<file without .js>.<exported function>"');
  }
  const dot = fn.handler.lastIndexOf('.');
  const name = typeof fn.name === 'string' && fn.name ? fn.name : `${service}_${key}`;
  if (!/^[\w@.-]+(\/[\w@.-]+)?$/.test(name)) throw new ManifestError(`${path}.name`, `"${name}" is not an action name ("action" or "package/action")`);
  const annotations = { ...object(fn.annotations, `${path}.annotations`) };
  // The plugin finalises parameters of web actions, as the wsk CLI does.
  if (annotations['web-export'] === true) annotations.final = true;
  const image = typeof fn.image === 'string' && fn.image ? fn.image : undefined;
  const runtime = typeof fn.runtime === 'string' ? fn.runtime : typeof provider.runtime === 'string' ? provider.runtime : 'nodejs:default';
  const action: ActionSpec = {
    name,
    functionName: key,
    handlerFile: `${fn.handler.slice(0, dot)}.js`,
    main: fn.handler.slice(dot + 1),
    kind: image ? 'blackbox' : runtime,
    image,
    limits: {
      timeout: positive(fn.timeout ?? provider.timeout, `${path}.timeout`, 60) * 1000,
      memory: positive(fn.memory ?? provider.memory, `${path}.memory`, 256),
      concurrency: positive(fn.concurrency ?? provider.concurrency, `${path}.concurrency`, 1),
    },
    parameters: object(fn.parameters, `${path}.parameters`),
    annotations,
  };
  const events = fn.events === undefined ? [] : fn.events;
  if (!Array.isArray(events)) throw new ManifestError(`${path}.events`, 'must be a list');
  const rules = events.map((event: unknown, i): RuleSpec => {
    const e = object(event, `${path}.events[${i}]`);
    const trigger = e.trigger;
    if (typeof trigger === 'string') return { name: `${service}_${trigger}_to_${key}`, trigger, action: name };
    if (trigger && typeof trigger === 'object' && typeof (trigger as Obj).name === 'string') {
      const t = trigger as Obj;
      return { name: typeof t.rule === 'string' ? t.rule : `${service}_${String(t.name)}_to_${key}`, trigger: String(t.name), action: name };
    }
    throw new ManifestError(`${path}.events[${i}]`, 'only `trigger:` events are supported by the local platform');
  });
  return { action, rules };
}

export function compileServerless(document: unknown, env: NodeJS.ProcessEnv = process.env): Manifest {
  const root = object(resolveVariables(document, env), '(root)', false);
  const service = typeof root.service === 'string' ? root.service : typeof (root.service as Obj | undefined)?.name === 'string' ? String((root.service as Obj).name) : '';
  if (!service) throw new ManifestError('service', 'is required');
  const provider = object(root.provider, 'provider');
  if (provider.name !== 'openwhisk') throw new ManifestError('provider.name', `must be openwhisk, got ${JSON.stringify(provider.name)}`);
  const functions = object(root.functions, 'functions');
  const resources = object(root.resources, 'resources');
  const packages: Manifest['packages'] = {};
  for (const [name, spec] of Object.entries(object(resources.packages, 'resources.packages'))) {
    packages[name] = { ...object(object(spec, `resources.packages.${name}`).parameters, `resources.packages.${name}.parameters`) };
  }
  const triggers = new Map<string, TriggerSpec>();
  for (const [name, spec] of Object.entries(object(resources.triggers, 'resources.triggers'))) {
    triggers.set(name, { name, parameters: object(object(spec, `resources.triggers.${name}`).parameters, `resources.triggers.${name}.parameters`) });
  }
  const actions: ActionSpec[] = [];
  const rules: RuleSpec[] = [];
  for (const [key, fn] of Object.entries(functions)) {
    const compiled = compileFunction(service, provider, key, object(fn, `functions.${key}`));
    actions.push(compiled.action);
    rules.push(...compiled.rules);
    // The plugin creates triggers named in events even when resources does not declare them.
    for (const rule of compiled.rules) if (!triggers.has(rule.trigger)) triggers.set(rule.trigger, { name: rule.trigger, parameters: {} });
  }
  for (const action of actions) {
    const pkg = action.name.includes('/') ? action.name.split('/')[0]! : undefined;
    if (pkg && !(pkg in packages)) packages[pkg] = {};
  }
  return { service, packages, actions, triggers: [...triggers.values()], rules };
}

export function readServerlessYml(file: string, env: NodeJS.ProcessEnv = process.env): Manifest {
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError('(file)', `cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return compileServerless(document, env);
}
