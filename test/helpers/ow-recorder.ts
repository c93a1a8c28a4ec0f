/**
 * An HTTP server on 127.0.0.1 standing in for an OpenWhisk controller during `sls deploy` and `sls remove`: it
 * records every REST call and answers as OpenWhisk does, including the refusals that catch a wrong order (an
 * action in a package that does not exist yet, a rule whose trigger or action does not exist, deleting a package
 * that still holds actions), a wrong key, and an action of a kind its runtime list (GET /api/v1) lacks. Only what
 * serverless-openwhisk and the deploy preflight call is modelled.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface RecordedCall {
  method: string;
  /** Decoded path, e.g. `/api/v1/namespaces/_/actions/findme/compare_images`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface OwRecorder {
  apihost: string;
  /** `uuid:key` the server accepts. */
  auth: string;
  namespace: string;
  calls: RecordedCall[];
  /** Calls refused with 401 because they carried no or another key. */
  unauthorized: number;
  /** Current entities by `<collection>/<name>` (`actions/findme/compare_images`). */
  entities: Map<string, Record<string, unknown>>;
  /** Alarm feeds bound, by trigger path (`/_/findme_sweep_jobs_schedule_trigger`): the feed action's CREATE parameters. */
  feeds: Map<string, Record<string, unknown>>;
}

/** The alarms package's feed action, which `ow.feeds.create/delete` invoke (blocking) with a lifecycleEvent. */
const ALARM_FEED_PATH = '/api/v1/namespaces/whisk.system/actions/alarms/alarm';

type Entity = Record<string, unknown>;

/** OpenWhisk stores code that is all base64 as binary (a zip), anything else as source text (Exec.isBinaryCode). */
export function isBinaryCode(code: string): boolean {
  const t = code.trim();
  return t.length > 0 && t.length % 4 === 0 && /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/.test(t);
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const NOT_FOUND = 'The requested resource does not exist.';

/** `/_/findme/x`, `findme/x` or `/guest/x` → the name within the namespace. */
function localName(qualified: string, namespace: string): string {
  const parts = qualified.replace(/^\//, '').split('/');
  if (qualified.startsWith('/') && (parts[0] === '_' || parts[0] === namespace)) parts.shift();
  return parts.join('/');
}

function stored(collection: string, name: string, namespace: string, body: Entity): Entity {
  const slash = name.indexOf('/');
  const base = { namespace: slash === -1 ? namespace : `${namespace}/${name.slice(0, slash)}`, name: name.slice(slash + 1), version: '0.0.1', publish: false, annotations: body.annotations ?? [], parameters: body.parameters ?? [] };
  if (collection !== 'actions') return { ...body, ...base };
  const exec = { ...(body.exec as Entity) };
  const code = typeof exec.code === 'string' ? exec.code : '';
  // Reads never return the code; the binary flag is how a client learns it was taken for a zip.
  delete exec.code;
  return { ...body, ...base, exec: { ...exec, binary: isBinaryCode(code) }, limits: { logs: 10, ...(body.limits as Entity | undefined) } };
}

/** The kinds a controller lists in GET /api/v1's `runtimes` manifest (OpenWhisk's ansible default has these). */
export const STOCK_KINDS = ['nodejs:20', 'nodejs:18', 'python:3'];

/** By family, as ExecManifest lists them: `{nodejs: [{kind: 'nodejs:20', …}], …}`. */
function runtimesManifest(kinds: string[]): Record<string, Entity[]> {
  const families: Record<string, Entity[]> = {};
  for (const kind of kinds) (families[kind.split(':')[0]!] ??= []).push({ kind, image: `openwhisk/action-${kind.replace(':', '-v')}:nightly`, deprecated: false, default: false, attached: true, requireMain: false });
  return families;
}

export async function useOwRecorder(auth = 'user-uuid:secret-key', namespace = 'guest', kinds: string[] = STOCK_KINDS): Promise<OwRecorder> {
  const recorder: OwRecorder = { apihost: '', auth, namespace, calls: [], unauthorized: 0, entities: new Map(), feeds: new Map() };
  const { entities, feeds } = recorder;
  const expected = `Basic ${Buffer.from(auth).toString('base64')}`;

  function handle(method: string, path: string, query: Record<string, string>, body: Entity | undefined): [number, unknown] {
    if (path === '/api/v1' || path === '/api/v1/') return [200, { api_paths: ['/api/v1'], description: 'OpenWhisk', runtimes: runtimesManifest(kinds) }];
    if (path === '/api/v1/namespaces') return [200, [namespace]];
    if (path === ALARM_FEED_PATH && method === 'POST') {
      const trigger = String(body?.triggerName ?? '');
      const event = String(body?.lifecycleEvent ?? '');
      // As the alarms provider: DELETE of an alarm that does not exist is an error (the plugin ignores it).
      if (event === 'DELETE' && !feeds.delete(trigger)) return [502, { response: { success: false, result: { error: `trigger ${trigger} has no alarm` } } }];
      if (event === 'CREATE') {
        if (!entities.has(`triggers/${localName(trigger, namespace)}`)) return [502, { response: { success: false, result: { error: `trigger ${trigger} does not exist` } } }];
        feeds.set(trigger, body ?? {});
      }
      return [200, { activationId: 'feed', response: { success: true, status: 'success', result: { status: 'success' } } }];
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/(packages|actions|triggers|rules)(?:\/(.+))?$/.exec(path);
    if (!match || (match[1] !== '_' && match[1] !== namespace)) throw new Refusal(404, NOT_FOUND);
    const collection = match[2]!;
    const name = match[3];
    if (!name) {
      if (method !== 'GET') throw new Refusal(405, 'The requested method is not allowed.');
      return [200, [...entities].filter(([key]) => key.startsWith(`${collection}/`)).map(([, e]) => e)];
    }
    const key = `${collection}/${name}`;
    const existing = entities.get(key);
    if (method === 'GET') {
      if (!existing) throw new Refusal(404, NOT_FOUND);
      return [200, existing];
    }
    if (method === 'DELETE') {
      if (!existing) throw new Refusal(404, NOT_FOUND);
      const inside = [...entities.keys()].filter((k) => k.startsWith(`actions/${name}/`)).length;
      if (collection === 'packages' && inside > 0) throw new Refusal(409, `Package not empty (contains ${inside} entit${inside === 1 ? 'y' : 'ies'})`);
      entities.delete(key);
      return [200, existing];
    }
    if (method === 'POST' && collection === 'rules') {
      if (!existing) throw new Refusal(404, NOT_FOUND);
      const status = (body?.status as string | undefined) ?? '';
      if (status !== 'active' && status !== 'inactive') throw new Refusal(400, 'Rule status must be active or inactive.');
      existing.status = status;
      return [200, existing];
    }
    if (method !== 'PUT') throw new Refusal(405, 'The requested method is not allowed.');
    if (existing && query.overwrite !== 'true') throw new Refusal(409, 'resource already exists');
    const entity = body ?? {};
    const kind = (entity.exec as Entity | undefined)?.kind;
    if (collection === 'actions' && typeof kind === 'string' && kind !== 'blackbox' && kind !== 'sequence' && !kinds.includes(kind)) {
      throw new Refusal(400, `The specified runtime '${kind}' is not supported by this platform.`);
    }
    if (collection === 'actions' && name.includes('/') && !entities.has(`packages/${name.split('/')[0]}`)) throw new Refusal(404, NOT_FOUND);
    if (collection === 'rules') {
      const trigger = localName(String(entity.trigger ?? ''), namespace);
      const action = localName(String(entity.action ?? ''), namespace);
      if (!entities.has(`triggers/${trigger}`) || !entities.has(`actions/${action}`)) throw new Refusal(404, NOT_FOUND);
      const ref = (n: string) => ({ path: n.includes('/') ? `${namespace}/${n.split('/')[0]}` : namespace, name: n.split('/').pop() });
      const rule = { ...stored(collection, name, namespace, {}), trigger: ref(trigger), action: ref(action), status: 'active' };
      entities.set(key, rule);
      return [200, rule];
    }
    const created = stored(collection, name, namespace, entity);
    entities.set(key, created);
    return [200, created];
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== expected) {
        recorder.unauthorized += 1;
        return send(401, { error: 'The supplied authentication is invalid', code: 'x' });
      }
      const method = req.method ?? '';
      const path = decodeURIComponent(url.pathname);
      let body: Entity | undefined;
      try {
        body = text ? (JSON.parse(text) as Entity) : undefined;
      } catch {
        return send(400, { error: 'The request content was malformed.', code: 'x' });
      }
      const query = Object.fromEntries(url.searchParams);
      recorder.calls.push({ method, path, query, body });
      try {
        const [status, payload] = handle(method, path, query, body);
        send(status, payload);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        send(error.status, { error: error.message, code: 'x' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  recorder.apihost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return recorder;
}
