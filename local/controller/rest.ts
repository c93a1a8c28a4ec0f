/**
 * The OpenWhisk REST API subset that the `openwhisk` npm client and `wsk` use against a namespace: invoke actions
 * (blocking or not, full activation or `result=true`), fire triggers, read activations, and read the entities
 * that serverless.yml declares. Entities cannot be changed here: they come from serverless.yml.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivationRecord } from '../activations';
import type { PlatformCore } from '../platform-core';
import type { ActionSpec } from '../manifest/types';
import { readJsonObject, RejectRequest, sendJson, TEXT } from './http';

/** How long a blocking invoke waits before answering 202 with the activation id, as OpenWhisk's default. */
export const MAX_BLOCKING_WAIT_MS = 60_000;

const HTTP_STATUS_FOR: Record<number, number> = { 0: 200, 1: 502, 2: 502, 3: 500 };

function keyValues(object: Record<string, unknown>): Array<{ key: string; value: unknown }> {
  return Object.entries(object).map(([key, value]) => ({ key, value }));
}

function actionEntity(core: PlatformCore, action: ActionSpec) {
  const slash = action.name.indexOf('/');
  return {
    namespace: slash === -1 ? core.namespace : `${core.namespace}/${action.name.slice(0, slash)}`,
    name: slash === -1 ? action.name : action.name.slice(slash + 1),
    version: '0.0.1',
    exec: { kind: action.kind, binary: true, ...(action.image ? { image: action.image } : {}) },
    limits: { timeout: action.limits.timeout, memory: action.limits.memory, concurrency: action.limits.concurrency, logs: 10 },
    parameters: keyValues(action.parameters),
    annotations: keyValues(action.annotations),
    publish: false,
  };
}

function flag(url: URL, name: string): boolean {
  return url.searchParams.get(name) === 'true';
}

function positiveInt(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new RejectRequest(400, `The request content was malformed:\n${name} must be a non-negative integer`);
  return n;
}

async function invoke(core: PlatformCore, name: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const action = core.actions.get(name);
  if (!action) throw new RejectRequest(404, TEXT.notFound);
  const params = await readJsonObject(req);
  const started = core.start(action, params);
  if (!flag(url, 'blocking')) return sendJson(res, 202, { activationId: started.activationId }, { 'x-openwhisk-activation-id': started.activationId });
  const waitMs = Math.min(positiveInt(url, 'timeout', MAX_BLOCKING_WAIT_MS), MAX_BLOCKING_WAIT_MS);
  let timer: NodeJS.Timeout | undefined;
  const record = await Promise.race([
    started.done,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
    }),
  ]);
  clearTimeout(timer);
  const header = { 'x-openwhisk-activation-id': started.activationId };
  if (!record) return sendJson(res, 202, { activationId: started.activationId }, header);
  sendJson(res, HTTP_STATUS_FOR[record.statusCode] ?? 500, flag(url, 'result') ? record.response.result : record, header);
}

function activations(core: PlatformCore, rest: string[], url: URL, res: ServerResponse): void {
  if (rest.length === 0) {
    const list = core.store.list({
      name: url.searchParams.get('name') ?? undefined,
      limit: Math.min(positiveInt(url, 'limit', 30) || 30, 200),
      skip: positiveInt(url, 'skip', 0),
      since: url.searchParams.has('since') ? positiveInt(url, 'since', 0) : undefined,
      upto: url.searchParams.has('upto') ? positiveInt(url, 'upto', 0) : undefined,
    });
    const docs = flag(url, 'docs');
    return sendJson(res, 200, docs ? list : list.map((r: ActivationRecord) => ({ ...r, logs: undefined, response: undefined })));
  }
  const record = core.store.get(rest[0]!);
  if (!record) throw new RejectRequest(404, TEXT.notFound);
  if (rest[1] === 'result') return sendJson(res, 200, record.response);
  if (rest[1] === 'logs') return sendJson(res, 200, { logs: record.logs });
  if (rest.length > 1) throw new RejectRequest(404, TEXT.notFound);
  sendJson(res, 200, record);
}

/** Handles `/api/v1/namespaces/{ns}/…`; `segments` start after the namespace. */
export async function handleNamespaceRequest(core: PlatformCore, segments: string[], url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [collection, ...rest] = segments;
  const name = rest.map(decodeURIComponent).join('/');
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') throw new RejectRequest(405, TEXT.methodNotAllowed);
  switch (collection) {
    case 'actions':
      if (method === 'POST') return invoke(core, name, url, req, res);
      if (!name) return sendJson(res, 200, [...core.actions.values()].map((a) => actionEntity(core, a)));
      if (!core.actions.has(name)) throw new RejectRequest(404, TEXT.notFound);
      return sendJson(res, 200, actionEntity(core, core.actions.get(name)!));
    case 'triggers': {
      if (method === 'POST') {
        const trigger = core.triggers.get(name);
        if (!trigger) throw new RejectRequest(404, TEXT.notFound);
        const payload = await readJsonObject(req);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
        const id = core.fire(trigger, payload, headers);
        if (id === undefined) return sendJson(res, 204, undefined);
        return sendJson(res, 202, { activationId: id }, { 'x-openwhisk-activation-id': id });
      }
      const triggers = [...core.triggers.values()].map((t) => ({ namespace: core.namespace, name: t.name, version: '0.0.1', parameters: keyValues(t.parameters), publish: false }));
      if (!name) return sendJson(res, 200, triggers);
      const found = triggers.find((t) => t.name === name);
      if (!found) throw new RejectRequest(404, TEXT.notFound);
      return sendJson(res, 200, found);
    }
    case 'rules': {
      if (method !== 'GET') throw new RejectRequest(405, TEXT.methodNotAllowed);
      const rules = core.rules.map((r) => ({
        namespace: core.namespace,
        name: r.name,
        version: '0.0.1',
        status: 'active',
        trigger: { path: core.namespace, name: r.trigger },
        action: { path: r.action.includes('/') ? `${core.namespace}/${r.action.split('/')[0]}` : core.namespace, name: r.action.split('/').pop() },
        publish: false,
      }));
      if (!name) return sendJson(res, 200, rules);
      const found = rules.find((r) => r.name === name);
      if (!found) throw new RejectRequest(404, TEXT.notFound);
      return sendJson(res, 200, found);
    }
    case 'packages': {
      if (method !== 'GET') throw new RejectRequest(405, TEXT.methodNotAllowed);
      const packages = Object.entries(core.manifest.packages).map(([pkg, parameters]) => ({ namespace: core.namespace, name: pkg, version: '0.0.1', parameters: keyValues(parameters), publish: false }));
      if (!name) return sendJson(res, 200, packages);
      const found = packages.find((p) => p.name === name);
      if (!found) throw new RejectRequest(404, TEXT.notFound);
      return sendJson(res, 200, found);
    }
    case 'activations':
      if (method !== 'GET') throw new RejectRequest(405, TEXT.methodNotAllowed);
      return activations(core, rest, url, res);
    default:
      throw new RejectRequest(404, TEXT.notFound);
  }
}
