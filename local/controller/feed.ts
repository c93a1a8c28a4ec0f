/**
 * POST /api/v1/namespaces/whisk.system/actions/alarms/alarm: the alarm feed action, which serverless-openwhisk
 * (through the openwhisk client's `feeds.create`/`feeds.delete`) invokes blocking with `lifecycleEvent`. Answered
 * as a blocking invoke of a system action is: the activation, 200 on success, 502 with `{error}` otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activationResponse, newActivationId } from '../activations';
import type { PlatformCore } from '../platform-core';
import { readJsonObject, sendJson } from './http';

export async function invokeAlarmFeed(core: PlatformCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const params = (await readJsonObject(req)) ?? {};
  const activationId = newActivationId();
  const answer = (status: number, response: ReturnType<typeof activationResponse>) =>
    sendJson(res, status, { namespace: 'whisk.system', name: 'alarm', activationId, response }, { headers: { 'x-openwhisk-activation-id': activationId } });
  try {
    answer(200, activationResponse(0, core.alarms.lifecycle(params)));
  } catch (error) {
    // A FeedError or CronError names the parameter that is wrong.
    if (!(error instanceof Error)) throw error;
    answer(502, activationResponse(1, { error: error.message }));
  }
}
