/**
 * GET /namespaces/{ns}/activations[/{id}[/result|/logs]] as OpenWhisk's Activations.scala answers: lists newest
 * first with `name`, `skip`, `limit`, `since`, `upto`, summaries unless `docs=true`, a count with `count=true`.
 */
import type { ServerResponse } from 'node:http';
import { activationJson, activationSummary } from '../activations';
import { NotFoundError, RequestError } from '../errors';
import type { PlatformCore } from '../platform-core';
import { sendJson } from './http';
import { booleanParam, epochParam, listLimit, listSkip, nameFilter } from './query';

function list(core: PlatformCore, url: URL, res: ServerResponse): void {
  const docs = booleanParam(url, 'docs');
  const count = booleanParam(url, 'count');
  if (docs && count) throw new RequestError(400, "The parameter 'docs' is not permitted with 'count'.");
  const name = nameFilter(url);
  const filter = { skip: listSkip(url, 'activations'), ...(name ? { name } : {}), since: epochParam(url, 'since'), upto: epochParam(url, 'upto') };
  if (count) return sendJson(res, 200, { activations: core.store.count(filter) });
  const records = core.store.list({ ...filter, limit: listLimit(url, 'activations') });
  sendJson(res, 200, records.map(docs ? activationJson : activationSummary));
}

export function readActivations(core: PlatformCore, rest: string[], url: URL, res: ServerResponse): void {
  if (rest.length === 0) return list(core, url, res);
  const record = core.store.get(rest[0]!);
  if (!record || rest.length > 2) throw new NotFoundError();
  if (rest[1] === undefined) return sendJson(res, 200, activationJson(record));
  if (rest[1] === 'result') return sendJson(res, 200, record.response);
  if (rest[1] === 'logs') return sendJson(res, 200, { logs: record.logs });
  throw new NotFoundError();
}
