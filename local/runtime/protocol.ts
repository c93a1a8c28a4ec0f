/**
 * The container protocol between an OpenWhisk invoker and an action runtime, declared once for both sides:
 * `POST /init {value: InitValue}` then `POST /run RunMessage`, and the marker the runtime writes to stdout and
 * stderr after each activation so the invoker can cut the logs.
 */
export const MARKER = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

export interface InitValue {
  name?: string;
  main: string;
  code: string;
  binary?: boolean;
  /** Applied to process.env before the code loads (OpenWhisk sends the first activation's __OW_* values). */
  env?: Record<string, unknown>;
}

/** Every string field but `value` becomes `__OW_<FIELD>` in the action's environment. */
export interface RunMessage {
  value: Record<string, unknown>;
  namespace: string;
  action_name: string;
  action_version: string;
  activation_id: string;
  transaction_id: string;
  deadline: string;
  /** Left out when the action is annotated `provide-api-key: false`. */
  api_key?: string;
  api_host: string;
}
