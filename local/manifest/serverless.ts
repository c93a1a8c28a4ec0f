/**
 * Reads serverless.yml into a Manifest as serverless-openwhisk deploys it: functions (functions.ts), packages
 * from `resources.packages` (renamed by `name:`) plus every package an action name implies, triggers from
 * `resources.triggers` plus every trigger an event names, and the rules. Variables are resolved from the given
 * environment first, so every error names the key it stands at.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { compileFunction, mapping } from './functions';
import type { ActionSpec, Manifest, RuleSpec, TriggerSpec } from './types';
import { packageOf } from './types';
import { ManifestError, resolveVariables } from './variables';

type Obj = Record<string, unknown>;

const PACKAGE_KEYS = new Set(['name', 'parameters', 'annotations', 'shared', 'overwrite']);
const TRIGGER_KEYS = new Set(['overwrite', 'annotations']);
/**
 * Provider keys that mean something to serverless-openwhisk or the framework and that the local platform honours
 * or may ignore (stage and region change nothing on OpenWhisk); others, such as `namespace`, `apihost` or `auth`,
 * would deploy somewhere the local platform does not model: refused by name rather than silently ignored.
 */
const PROVIDER_KEYS = new Set(['name', 'runtime', 'memory', 'timeout', 'concurrency', 'overwrite', 'ignore_certs', 'stage', 'region']);
const RESOURCE_KEYS = new Set(['packages', 'triggers']);

function compilePackages(resources: Obj): Manifest['packages'] {
  const packages: Manifest['packages'] = {};
  for (const [key, spec] of Object.entries(mapping(resources.packages, 'resources.packages'))) {
    const path = `resources.packages.${key}`;
    const pkg = mapping(spec, path);
    if ('binding' in pkg) throw new ManifestError(`${path}.binding`, 'package bindings are not supported by the local platform');
    for (const field of Object.keys(pkg)) if (!PACKAGE_KEYS.has(field)) throw new ManifestError(`${path}.${field}`, 'is not supported by the local platform');
    const name = typeof pkg.name === 'string' && pkg.name ? pkg.name : key;
    packages[name] = { ...mapping(pkg.parameters, `${path}.parameters`) };
  }
  return packages;
}

function compileTriggers(resources: Obj): Map<string, TriggerSpec> {
  const triggers = new Map<string, TriggerSpec>();
  for (const [name, spec] of Object.entries(mapping(resources.triggers, 'resources.triggers'))) {
    const path = `resources.triggers.${name}`;
    const trigger = mapping(spec, path);
    // The plugin compiles trigger parameters but its deploy sends only `options.trigger` to the API, so they never
    // reach OpenWhisk: accepting them here would make the local platform behave unlike the deployed one.
    if ('parameters' in trigger) throw new ManifestError(`${path}.parameters`, 'serverless-openwhisk does not deploy trigger parameters (they would be lost on OpenWhisk); use package parameters');
    if ('feed' in trigger) throw new ManifestError(`${path}.feed`, "trigger feeds declared here are not run by the local platform; use a function's `schedule:` event (the alarm feed, which it runs)");
    for (const field of Object.keys(trigger)) if (!TRIGGER_KEYS.has(field)) throw new ManifestError(`${path}.${field}`, 'is not supported by the local platform');
    triggers.set(name, { name, parameters: {} });
  }
  return triggers;
}

function serviceName(root: Obj): string {
  const service = typeof root.service === 'string' ? root.service : mapping(root.service, 'service').name;
  if (typeof service !== 'string' || !service) throw new ManifestError('service', 'is required');
  return service;
}

export function compileServerless(document: unknown, env: NodeJS.ProcessEnv = process.env): Manifest {
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new ManifestError('(root)', 'must be a mapping');
  const root = resolveVariables(document, env) as Obj;
  const service = serviceName(root);
  const provider = mapping(root.provider, 'provider');
  if (provider.name !== 'openwhisk') throw new ManifestError('provider.name', `must be openwhisk, got ${JSON.stringify(provider.name)}`);
  for (const key of Object.keys(provider)) if (!PROVIDER_KEYS.has(key)) throw new ManifestError(`provider.${key}`, 'is not supported by the local platform');
  const resources = mapping(root.resources, 'resources');
  for (const key of Object.keys(resources)) if (!RESOURCE_KEYS.has(key)) throw new ManifestError(`resources.${key}`, 'is not supported by the local platform (only packages and triggers)');
  const packages = compilePackages(resources);
  const triggers = compileTriggers(resources);
  const actions: ActionSpec[] = [];
  const rules: RuleSpec[] = [];
  for (const [key, fn] of Object.entries(mapping(root.functions, 'functions'))) {
    const compiled = compileFunction(service, provider, key, mapping(fn, `functions.${key}`));
    if (actions.some((a) => a.name === compiled.action.name)) throw new ManifestError(`functions.${key}.name`, `another function already deploys as ${compiled.action.name}`);
    actions.push(compiled.action);
    rules.push(...compiled.rules);
    // The plugin creates the triggers that events name and the packages that action names imply.
    for (const feed of compiled.feeds) triggers.set(feed.name, feed);
    for (const rule of compiled.rules) if (!triggers.has(rule.trigger)) triggers.set(rule.trigger, { name: rule.trigger, parameters: {} });
    const pkg = packageOf(compiled.action.name);
    if (pkg && !(pkg in packages)) packages[pkg] = {};
  }
  return { service, packages, actions, triggers: [...triggers.values()], rules };
}

export function readServerlessYml(file: string, env: NodeJS.ProcessEnv = process.env): Manifest {
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError('(file)', `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return compileServerless(document, env);
}
