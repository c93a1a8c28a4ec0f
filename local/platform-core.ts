/**
 * The platform's entities and operations, independent of HTTP. Invoking an action is charged to the namespace's
 * throttles first, then refused when the request sets a final parameter (as OpenWhisk's Actions.scala does), then
 * run with parameters merged package < action < request. Firing a trigger starts every rule's action
 * asynchronously with the payload, and the fire request's headers as `__ow_headers` under it, merged over the
 * trigger's parameters (OpenWhisk 2.0, PR #5273), and records a trigger activation whose logs list the rule
 * activations and whose result is the payload alone (Triggers.scala). Actions are taken as the
 * controller creates them: without a `provide-api-key` annotation they get none, so they receive no API key.
 */
import type { ActivationRecord, ActivationStore } from './activations';
import { activationResponse, newActivationId } from './activations';
import { ParametersNotAllowedError, RequestError, TEXT } from './errors';
import { AlarmFeed } from './feeds/alarms';
import type { Invoker } from './invoker/invoker';
import type { ActionSpec, Manifest, RuleSpec, TriggerSpec } from './manifest/types';
import { packageOf } from './manifest/types';
import type { Slot, Throttles } from './throttles';

export interface Started {
  activationId: string;
  /** Settles when the activation has finished and been recorded; never rejects. */
  done: Promise<ActivationRecord>;
}

/** One line of a trigger activation's logs, as Triggers.scala writes it. */
export interface RuleResult {
  rule: string;
  action: string;
  statusCode: number;
  success: boolean;
  activationId?: string;
  error?: string;
}

/**
 * An action as OpenWhisk's controller stores it on create: with require-api-key-annotation (on by default) an
 * action that does not ask for the API key is annotated `provide-api-key: false`, and the invoker then leaves
 * __OW_API_KEY out. An action that fires triggers must say `provide-api-key: true`, here as when deployed.
 */
export function asCreated(action: ActionSpec): ActionSpec {
  if ('provide-api-key' in action.annotations) return action;
  return { ...action, annotations: { ...action.annotations, 'provide-api-key': false } };
}

export class PlatformCore {
  readonly actions = new Map<string, ActionSpec>();
  readonly triggers = new Map<string, TriggerSpec>();
  readonly rules: readonly RuleSpec[];
  /** The alarm feed's provider: fires this namespace's triggers on their cron. */
  readonly alarms: AlarmFeed;

  constructor(
    readonly manifest: Manifest,
    readonly namespace: string,
    private readonly invoker: Invoker,
    readonly store: ActivationStore,
    readonly throttles: Throttles,
  ) {
    for (const action of manifest.actions) this.actions.set(action.name, asCreated(action));
    for (const trigger of manifest.triggers) this.triggers.set(trigger.name, trigger);
    this.rules = manifest.rules;
    this.alarms = new AlarmFeed(
      (path, payload, headers) => {
        const trigger = this.triggers.get(path.split('/')[2] ?? '');
        if (trigger && path.split('/')[1] === namespace) this.fire(trigger, payload, headers);
      },
      (line) => console.error(line),
    );
  }

  /** Package and action parameters, the base every request is merged over. */
  baseParameters(action: ActionSpec): Record<string, unknown> {
    const pkg = packageOf(action.name);
    return { ...(pkg ? this.manifest.packages[pkg] : {}), ...action.parameters };
  }

  /** With `final: true`, every parameter that has a value (null has none) is out of a request's reach. */
  immutableParameters(action: ActionSpec): string[] {
    if (action.annotations.final !== true) return [];
    return Object.entries(this.baseParameters(action))
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key]) => key);
  }

  /** Charges one invocation to the namespace (429 when over a limit); `done()` it if the request is then refused. */
  admit(): Slot {
    return this.throttles.takeInvocation();
  }

  /** Runs an admitted activation with the request's parameters over the action's and its package's. */
  launch(slot: Slot, action: ActionSpec, requestParams: Record<string, unknown>): Started {
    const activationId = newActivationId();
    const params = { ...this.baseParameters(action), ...requestParams };
    const done = this.invoker.invoke({ action, params, activationId, requestedAt: Date.now() }).finally(() => slot.done());
    return { activationId, done };
  }

  /** An authenticated invoke (the REST API, a rule): throttled, then refused if it sets a final parameter. */
  invoke(action: ActionSpec, payload: Record<string, unknown>): Started {
    const slot = this.admit();
    const refused = Object.keys(payload).filter((key) => this.immutableParameters(action).includes(key));
    if (refused.length > 0) {
      slot.done();
      throw new ParametersNotAllowedError(refused);
    }
    return this.launch(slot, action, payload);
  }

  /**
   * Fires a trigger: undefined when it has no rule (OpenWhisk answers 204 and records nothing), else its activation
   * id. `headers`: the fire request's, as `requestHeaders` gives them; the payload's own `__ow_headers` wins.
   */
  fire(trigger: TriggerSpec, payload: Record<string, unknown> | undefined, headers: Record<string, string>): string | undefined {
    this.throttles.takeFire();
    const rules = this.rules.filter((r) => r.trigger === trigger.name);
    if (rules.length === 0) return undefined;
    const activationId = newActivationId();
    const start = Date.now();
    const args = { ...trigger.parameters, __ow_headers: headers, ...payload };
    const results = rules.map((rule) => this.activateRule(rule, args));
    this.store.add({
      namespace: this.namespace,
      name: trigger.name,
      version: '0.0.1',
      subject: this.namespace,
      activationId,
      start,
      end: 0,
      duration: 0,
      statusCode: 0,
      response: activationResponse(0, payload ?? {}),
      logs: results.map((r) => JSON.stringify(r)),
      annotations: [],
      publish: false,
    });
    return activationId;
  }

  private activateRule(rule: RuleSpec, args: Record<string, unknown>): RuleResult {
    const base = { rule: `${this.namespace}/${rule.name}`, action: `${this.namespace}/${rule.action}` };
    const action = this.actions.get(rule.action);
    if (!action) return { ...base, statusCode: 1, success: false, error: TEXT.notFound };
    try {
      const started = this.invoke(action, args);
      return { ...base, statusCode: 0, success: true, activationId: started.activationId };
    } catch (error) {
      // As the controller's own POST to the action: a 5xx is a whisk error, any other refusal an application error.
      const status = error instanceof RequestError ? error.status : 500;
      return { ...base, statusCode: status >= 500 ? 3 : 1, success: false, error: error instanceof RequestError ? error.message : TEXT.internal };
    }
  }
}
