/**
 * Read-only views of the entities serverless.yml declares, shaped as OpenWhisk's GET answers (`wsk action get`,
 * `wsk trigger list`, …). Lists take `limit`, `skip` and `count` like OpenWhisk's.
 */
import { NotFoundError } from '../errors';
import type { ActionSpec } from '../manifest/types';
import { packageOf } from '../manifest/types';
import type { PlatformCore } from '../platform-core';
import { booleanParam, listLimit, listSkip } from './query';

type Entity = Record<string, unknown>;
/** Each entity under the name its URL uses (`package/action` for actions). */
type Named = Array<[string, Entity]>;

function keyValues(object: Record<string, unknown>): Array<{ key: string; value: unknown }> {
  return Object.entries(object).map(([key, value]) => ({ key, value }));
}

function actionEntity(core: PlatformCore, action: ActionSpec): Entity {
  const pkg = packageOf(action.name);
  return {
    namespace: pkg ? `${core.namespace}/${pkg}` : core.namespace,
    name: pkg ? action.name.slice(pkg.length + 1) : action.name,
    version: '0.0.1',
    exec: { kind: action.kind, binary: true, main: action.main, ...(action.image ? { image: action.image } : {}) },
    limits: { timeout: action.limits.timeout, memory: action.limits.memory, concurrency: action.limits.concurrency, logs: 10 },
    parameters: keyValues(action.parameters),
    annotations: [...keyValues(action.annotations), { key: 'exec', value: action.kind.split(':')[0] }],
    publish: false,
  };
}

const views: Record<string, (core: PlatformCore) => Named> = {
  actions: (core) => [...core.actions.values()].map((a) => [a.name, actionEntity(core, a)]),
  triggers: (core) =>
    [...core.triggers.values()].map((t) => [t.name, { namespace: core.namespace, name: t.name, version: '0.0.1', parameters: keyValues(t.parameters), limits: {}, annotations: [], publish: false }]),
  rules: (core) =>
    core.rules.map((r) => {
      const pkg = packageOf(r.action);
      const rule = {
        namespace: core.namespace,
        name: r.name,
        version: '0.0.1',
        status: 'active',
        trigger: { path: core.namespace, name: r.trigger },
        action: { path: pkg ? `${core.namespace}/${pkg}` : core.namespace, name: pkg ? r.action.slice(pkg.length + 1) : r.action },
        annotations: [],
        publish: false,
      };
      return [r.name, rule];
    }),
  packages: (core) =>
    Object.entries(core.manifest.packages).map(([name, parameters]) => [name, { namespace: core.namespace, name, version: '0.0.1', parameters: keyValues(parameters), annotations: [], binding: {}, publish: false }]),
};

export type EntityCollection = 'actions' | 'triggers' | 'rules' | 'packages';

export function isEntityCollection(name: string | undefined): name is EntityCollection {
  return name !== undefined && Object.hasOwn(views, name);
}

/** GET /namespaces/{ns}/{collection}[/{name}]: a list, a count, or one entity. */
export function readEntities(core: PlatformCore, collection: EntityCollection, name: string, url: URL): unknown {
  const all = views[collection]!(core);
  if (name) {
    const found = all.find(([key]) => key === name);
    if (!found) throw new NotFoundError();
    return found[1];
  }
  const skip = listSkip(url, collection);
  if (booleanParam(url, 'count')) return { [collection]: Math.max(0, all.length - skip) };
  return all.slice(skip, skip + listLimit(url, collection)).map(([, entity]) => entity);
}
