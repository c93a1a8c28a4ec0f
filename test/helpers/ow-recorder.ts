/**
 * An HTTP server on 127.0.0.1 that answers the OpenWhisk REST calls a deploy makes (PUT packages, actions,
 * triggers, rules; rule activation; reads), as OpenWhisk would, and records every call for the test to check.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface OwRecorder {
  apihost: string;
  calls: RecordedCall[];
}

export async function useOwRecorder(): Promise<OwRecorder> {
  const calls: RecordedCall[] = [];
  const entities = new Map<string, unknown>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      calls.push({ method: req.method ?? '', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams), body, authorization: req.headers.authorization });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const match = /^\/api\/v1\/namespaces\/([^/]+)\/(packages|actions|triggers|rules)\/(.+)$/.exec(decodeURIComponent(url.pathname));
      if (match && req.method === 'PUT') {
        const [, namespace, collection, name] = match;
        const entity = { namespace, name: name!.split('/').pop(), ...(body as object) };
        entities.set(`${collection}/${name}`, entity);
        return send(200, entity);
      }
      if (match && req.method === 'POST' && match[2] === 'rules') return send(200, { status: 'active' });
      if (match && req.method === 'GET') {
        const found = entities.get(`${match[2]}/${match[3]}`);
        return found ? send(200, found) : send(404, { error: 'The requested resource does not exist.', code: 'x' });
      }
      if (/^\/api\/v1\/namespaces\/[^/]+\/(packages|actions|triggers|rules|activations)$/.test(url.pathname) && req.method === 'GET') return send(200, []);
      if (url.pathname === '/api/v1/namespaces' && req.method === 'GET') return send(200, ['guest']);
      if (url.pathname === '/api/v1' || url.pathname === '/api/v1/') return send(200, { api_paths: ['/api/v1'], description: 'OpenWhisk' });
      send(404, { error: 'The requested resource does not exist.', code: 'x' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { apihost: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}
