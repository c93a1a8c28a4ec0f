/**
 * An action container: the OpenWhisk nodejs runtime's HTTP protocol on 127.0.0.1. The invoker starts one process
 * per container and learns the port over IPC (the real runtime always listens on 8080 inside its container).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionService, type Reply } from './service';

const BODY_LIMIT = 48 * 1024 * 1024;
const service = new ActionService();

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) reject(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.code, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const route = req.method === 'POST' ? req.url : undefined;
  if (route !== '/init' && route !== '/run') return send(res, { code: 500, body: { error: 'Bad request.' } });
  readJson(req)
    .then((body) => (route === '/init' ? service.init(body) : service.run(body)))
    .then((reply) => {
      send(res, reply);
      // A container whose action threw or failed to initialise is not reused; the invoker removes it.
    })
    .catch(() => send(res, { code: 500, body: { error: 'Bad request.' } }));
});
server.timeout = 0;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
// The invoker going away means this container is gone too.
process.on('disconnect', () => process.exit(0));
