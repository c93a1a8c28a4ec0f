/** The deployable units, as serverless-openwhisk compiles them from serverless.yml. */

export interface ActionLimits {
  /** Milliseconds. */
  timeout: number;
  /** Megabytes (a note: processes are not memory-capped locally). */
  memory: number;
  /** Activations one container may run at once. */
  concurrency: number;
}

export interface ActionSpec {
  /** `package/action`, or `action` in the default package. */
  name: string;
  /** The function's key in serverless.yml. */
  functionName: string;
  /** The built file (project-relative), e.g. `dist/actions/compare_images.js`. */
  handlerFile: string;
  /** The exported function, e.g. `main`. */
  main: string;
  /** `nodejs:20`, or `blackbox` for actions on a custom image. */
  kind: string;
  image: string | undefined;
  limits: ActionLimits;
  parameters: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

export interface RuleSpec {
  name: string;
  trigger: string;
  /** Action name as in ActionSpec.name. */
  action: string;
}

export interface TriggerSpec {
  name: string;
  parameters: Record<string, unknown>;
  /** A feed that fires the trigger, e.g. `/whisk.system/alarms/alarm` with `{cron, trigger_payload}`. */
  feed?: { action: string; parameters: Record<string, unknown> };
}

/** The one feed the local platform runs, as serverless-openwhisk's `schedule` event binds it. */
export const ALARM_FEED = '/whisk.system/alarms/alarm';

export interface Manifest {
  service: string;
  /** Package name → parameters. */
  packages: Record<string, Record<string, unknown>>;
  actions: ActionSpec[];
  triggers: TriggerSpec[];
  rules: RuleSpec[];
}

export function packageOf(actionName: string): string | undefined {
  const slash = actionName.indexOf('/');
  return slash === -1 ? undefined : actionName.slice(0, slash);
}
