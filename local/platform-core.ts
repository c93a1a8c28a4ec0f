/**
 * The platform's entities and operations, independent of HTTP: invoke an action (parameters merged package <
 * action < request, throttled), fire a trigger (each active rule starts its action asynchronously with the
 * trigger's parameters, and the trigger's own activation lists them).
 */
import type { ActivationRecord, ActivationStore } from './activations';
import { activationResponse, newActivationId } from './activations';
import type { Throttles } from './controller/limits';
import type { Invoker } from './invoker/invoker';
import type { ActionSpec, Manifest, RuleSpec, TriggerSpec } from './manifest/types';
import { packageOf } from './manifest/types';

export interface Started {
  activationId: string;
  /** Settles when the activation has finished and been recorded. */
  done: Promise<ActivationRecord>;
}

export class PlatformCore {
  readonly actions = new Map<string, ActionSpec>();
  readonly triggers = new Map<string, TriggerSpec>();
  readonly rules: RuleSpec[];

  constructor(
    readonly manifest: Manifest,
    readonly namespace: string,
    private readonly invoker: Invoker,
    readonly store: ActivationStore,
    readonly throttles: Throttles,
  ) {
    for (const action of manifest.actions) this.actions.set(action.name, action);
    for (const trigger of manifest.triggers) this.triggers.set(trigger.name, trigger);
    this.rules = manifest.rules;
  }

  /** Package and action parameters, the base every request is merged over. */
  baseParameters(action: ActionSpec): Record<string, unknown> {
    const pkg = packageOf(action.name);
    return { ...(pkg ? this.manifest.packages[pkg] : {}), ...action.parameters };
  }

  /** Starts an activation; throws a ThrottleError when a namespace limit is reached. */
  start(action: ActionSpec, requestParams: Record<string, unknown>, cause?: string): Started {
    const slot = this.throttles.takeInvocation();
    const activationId = newActivationId();
    const params = { ...this.baseParameters(action), ...requestParams };
    const done = this.invoker.invoke({ action, params, activationId, ...(cause ? { cause } : {}) }).finally(slot.done);
    return { activationId, done };
  }

  /**
   * Fires a trigger: undefined when it has no rule (OpenWhisk answers 204 and records nothing), else the trigger
   * activation's id.
   */
  fire(trigger: TriggerSpec, payload: Record<string, unknown>, headers: Record<string, string>): string | undefined {
    this.throttles.takeFire();
    const rules = this.rules.filter((r) => r.trigger === trigger.name);
    if (rules.length === 0) return undefined;
    const triggerActivationId = newActivationId();
    const start = Date.now();
    const args = { ...trigger.parameters, __ow_headers: headers, ...payload };
    const results = rules.map((rule) => {
      const action = this.actions.get(rule.action);
      const base = { rule: `${this.namespace}/${rule.name}`, action: `${this.namespace}/${rule.action}` };
      if (!action) return { ...base, statusCode: 1, success: false, error: `The requested resource does not exist.` };
      try {
        const started = this.start(action, args, triggerActivationId);
        // Failures are in the action's own record; nothing awaits this promise otherwise.
        started.done.catch(() => undefined);
        return { ...base, statusCode: 0, success: true, activationId: started.activationId };
      } catch (error) {
        return { ...base, statusCode: 1, success: false, error: error instanceof Error ? error.message : String(error) };
      }
    });
    this.store.add({
      namespace: this.namespace,
      name: trigger.name,
      version: '0.0.1',
      subject: this.namespace,
      activationId: triggerActivationId,
      start,
      end: 0,
      duration: 0,
      statusCode: 0,
      response: activationResponse(0, payload),
      logs: results.map((r) => JSON.stringify(r)),
      annotations: [{ key: 'path', value: `${this.namespace}/${trigger.name}` }],
      publish: false,
    });
    return triggerActivationId;
  }
}
