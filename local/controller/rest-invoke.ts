/**
 * POST on an action or a trigger, as OpenWhisk's Actions.scala and Triggers.scala answer them. An invoke is 202
 * `{activationId}` unless `blocking=true`; a blocking one waits up to `timeout` (at most the controller's blocking
 * wait, 60 s) and answers the activation, or only its result with `result=true` (an array result always alone),
 * with 200 for success, 502 for an application or developer error, 500 for a whisk error, and 202
 * `{activationId}` if the wait ran out. A fire is 202 `{activationId}`, or 204 when no rule is bound; its rules'
 * actions get the fire request's headers (the caller's authorization included) as `__ow_headers`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activationJson, type ActivationRecord } from '../activations';
import { NotFoundError } from '../errors';
import type { PlatformCore } from '../platform-core';
import { readJsonObject, sendJson } from './http';
import { requestHeaders } from './request-headers';
import { blockingWait, booleanParam } from './query';

const HTTP_STATUS: Record<number, number> = { 0: 200, 1: 502, 2: 502, 3: 500 };

/** The record, or undefined once `ms` passed. */
export async function waitFor(done: Promise<ActivationRecord>, ms: number): Promise<ActivationRecord | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([done, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function invokeAction(core: PlatformCore, name: string, url: URL, req: IncomingMessage, res: ServerResponse, maxBlockingWaitMs: number): Promise<void> {
  const action = core.actions.get(name);
  if (!action) throw new NotFoundError();
  // Malformed query parameters are refused before anything runs.
  const blocking = booleanParam(url, 'blocking');
  const resultOnly = booleanParam(url, 'result');
  const waitMs = blockingWait(url, maxBlockingWaitMs);
  const started = core.invoke(action, (await readJsonObject(req)) ?? {});
  const headers = { 'x-openwhisk-activation-id': started.activationId };
  const record = blocking ? await waitFor(started.done, waitMs) : undefined;
  if (!record) return sendJson(res, 202, { activationId: started.activationId }, { headers });
  const result = record.response.result;
  const body = Array.isArray(result) || resultOnly ? result : activationJson(record);
  sendJson(res, HTTP_STATUS[record.statusCode] ?? 500, body, { headers });
}

export async function fireTrigger(core: PlatformCore, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const trigger = core.triggers.get(name);
  if (!trigger) throw new NotFoundError();
  const payload = await readJsonObject(req);
  const id = core.fire(trigger, payload, requestHeaders(req, { contentType: false }));
  if (id === undefined) return sendJson(res, 204, undefined);
  sendJson(res, 202, { activationId: id }, { headers: { 'x-openwhisk-activation-id': id } });
}
