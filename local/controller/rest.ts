/**
 * The OpenWhisk REST API under /api/v1/namespaces/{namespace}/ that the `openwhisk` client and `wsk` use: invoke
 * actions, fire triggers, read activations, and read (never change: they come from serverless.yml) actions,
 * triggers, rules and packages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError, RequestError, TEXT } from '../errors';
import type { PlatformCore } from '../platform-core';
import { sendJson } from './http';
import { readActivations } from './rest-activations';
import { isEntityCollection, readEntities } from './rest-entities';
import { fireTrigger, invokeAction } from './rest-invoke';

export interface RestContext {
  core: PlatformCore;
  maxBlockingWaitMs: number;
}

/** Handles what follows `/api/v1/namespaces/{ns}/`. */
export async function handleNamespaceRequest(context: RestContext, segments: string[], url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { core } = context;
  const [collection, ...rest] = segments;
  const name = rest.join('/');
  const method = req.method ?? 'GET';
  if (collection === 'activations') {
    if (method !== 'GET') throw new RequestError(405, TEXT.methodNotAllowed(['GET']));
    return readActivations(core, rest, url, res);
  }
  if (!isEntityCollection(collection)) throw new NotFoundError();
  if (method === 'GET') return sendJson(res, 200, readEntities(core, collection, name, url));
  if (method === 'POST' && collection === 'actions' && name) return invokeAction(core, name, url, req, res, context.maxBlockingWaitMs);
  if (method === 'POST' && collection === 'triggers' && name) return fireTrigger(core, name, req, res);
  if (['PUT', 'DELETE', 'POST'].includes(method)) throw new RequestError(405, TEXT.readOnly);
  throw new RequestError(405, TEXT.methodNotAllowed(['GET', 'PUT', 'POST', 'DELETE']));
}
