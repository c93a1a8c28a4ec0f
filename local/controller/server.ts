/**
 * The controller's HTTP server on 127.0.0.1: API-key authentication for the REST API under /api/v1, anonymous web
 * actions under /api/v1/web, one place that turns failures into OpenWhisk's error responses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { PlatformCore } from '../platform-core';
import { RejectRequest, sendError, sendJson, TEXT } from './http';
import { ThrottleError } from './limits';
import { handleNamespaceRequest } from './rest';
import { handleWebRequest } from './web';

function authorized(req: IncomingMessage, apiKey: string): boolean | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Basic\s+(\S+)$/i.exec(header);
  return match !== null && Buffer.from(match[1]!, 'base64').toString('utf8') === apiKey;
}

async function route(core: PlatformCore, apiKey: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments[0] !== 'api' || segments[1] !== 'v1') throw new RejectRequest(404, TEXT.notFound);
  if (segments[2] === 'web') return handleWebRequest(core, segments.slice(3), url, req, res);
  const auth = authorized(req, apiKey);
  if (auth === undefined) throw new RejectRequest(401, TEXT.unauthenticated);
  if (!auth) throw new RejectRequest(401, TEXT.badAuth);
  if (segments.length === 2) return sendJson(res, 200, { description: 'findme local OpenWhisk platform', api_paths: ['/api/v1'] });
  if (segments[2] !== 'namespaces') throw new RejectRequest(404, TEXT.notFound);
  if (segments.length === 3) return sendJson(res, 200, [core.namespace]);
  const namespace = decodeURIComponent(segments[3]!);
  if (namespace !== '_' && namespace !== core.namespace) throw new RejectRequest(404, TEXT.notFound);
  return handleNamespaceRequest(core, segments.slice(4), url, req, res);
}

export interface ControllerServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startController(core: PlatformCore, apiKey: string, port = 0): Promise<ControllerServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    route(core, apiKey, req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof RejectRequest || error instanceof ThrottleError) return sendError(res, error.status, error.message);
      console.error(`controller: ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendError(res, 500, 'The server encountered an internal error.');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
