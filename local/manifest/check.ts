/**
 * What OpenWhisk itself would refuse when a manifest is deployed, checked once when the platform starts, so a
 * Manifest built in code (tests, benchmarks) fails as clearly as a bad serverless.yml: unique action names, a
 * package for every packaged action, rules between a trigger and an action that exist, sane limits.
 */
import type { Manifest } from './types';
import { ALARM_FEED, packageOf } from './types';

export class InvalidManifestError extends Error {
  override readonly name = 'InvalidManifestError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`manifest ${path}: ${problem}`);
  }
}

export function checkManifest(manifest: Manifest): Manifest {
  const actions = new Set<string>();
  manifest.actions.forEach((action, i) => {
    const at = `actions[${i}] (${action.name})`;
    if (!/^[\w@.-]+(\/[\w@.-]+)?$/.test(action.name)) throw new InvalidManifestError(at, 'the name must be "action" or "package/action"');
    if (actions.has(action.name)) throw new InvalidManifestError(at, 'another action has this name');
    actions.add(action.name);
    const pkg = packageOf(action.name);
    if (pkg && !(pkg in manifest.packages)) throw new InvalidManifestError(at, `package ${pkg} is not in manifest.packages`);
    const { timeout, memory, concurrency } = action.limits;
    for (const [key, value] of Object.entries({ timeout, memory, concurrency })) {
      if (!Number.isInteger(value) || value <= 0) throw new InvalidManifestError(`${at}.limits.${key}`, `must be a positive whole number, got ${String(value)}`);
    }
    if (!action.handlerFile || !action.main) throw new InvalidManifestError(at, 'handlerFile and main are required');
  });
  manifest.triggers.forEach((trigger, i) => {
    if (trigger.feed && trigger.feed.action !== ALARM_FEED) throw new InvalidManifestError(`triggers[${i}] (${trigger.name}).feed`, `only the alarm feed ${ALARM_FEED} runs on the local platform`);
  });
  const triggers = new Set(manifest.triggers.map((t) => t.name));
  const rules = new Set<string>();
  manifest.rules.forEach((rule, i) => {
    const at = `rules[${i}] (${rule.name})`;
    if (rules.has(rule.name)) throw new InvalidManifestError(at, 'another rule has this name');
    rules.add(rule.name);
    if (!triggers.has(rule.trigger)) throw new InvalidManifestError(at, `trigger ${rule.trigger} is not in manifest.triggers`);
    if (!actions.has(rule.action)) throw new InvalidManifestError(at, `action ${rule.action} is not in manifest.actions`);
  });
  return manifest;
}
