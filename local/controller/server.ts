/**
 * The controller's HTTP server on 127.0.0.1: API-key (Basic) authentication for the REST API under /api/v1,
 * anonymous web actions under /api/v1/web, and the one place that turns a refusal into OpenWhisk's error
 * response. Sockets are tracked so that closing ends keep-alive connections too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { RequestError, TEXT } from '../errors';
import type { PlatformCore } from '../platform-core';
import { sendError, sendJson } from './http';
import { invokeAlarmFeed } from './feed';
import { handleNamespaceRequest } from './rest';
import { handleWebRequest } from './web';

export interface ControllerOptions {
  core: PlatformCore;
  apiKey: string;
  port: number;
  maxBlockingWaitMs: number;
  /** How long a web request's body may take to arrive (408 after); default 10 s. */
  webBodyTimeoutMs?: number;
}

export interface ControllerServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const CHALLENGE = { 'www-authenticate': 'Basic realm="OpenWhisk secure realm"' };

/** undefined: no Basic credentials at all; else whether they are the API key. */
function credentials(req: IncomingMessage, apiKey: string): boolean | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  return Buffer.from(match[1]!, 'base64').toString('utf8') === apiKey;
}

function segmentsOf(url: URL): string[] {
  try {
    return url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new RequestError(400, TEXT.malformedBody('the path is not valid percent-encoding'));
  }
}

async function route(options: ControllerOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { core, apiKey } = options;
  const segments = segmentsOf(url);
  if (segments[0] !== 'api' || segments[1] !== 'v1') throw new RequestError(404, TEXT.notFound);
  if (segments[2] === 'web') {
    const web = { core, maxBlockingWaitMs: options.maxBlockingWaitMs, bodyTimeoutMs: options.webBodyTimeoutMs ?? 10_000, authenticated: (r: IncomingMessage) => credentials(r, apiKey) === true };
    return handleWebRequest(web, segments.slice(3), url, req, res);
  }
  const auth = credentials(req, apiKey);
  if (auth === undefined) throw new RequestError(401, TEXT.unauthenticated, CHALLENGE);
  if (!auth) throw new RequestError(401, TEXT.badAuth, CHALLENGE);
  if (segments.length === 2) return sendJson(res, 200, { description: 'findme local OpenWhisk platform', api_paths: ['/api/v1'] });
  if (segments[2] !== 'namespaces') throw new RequestError(404, TEXT.notFound);
  if (segments.length === 3) return sendJson(res, 200, [core.namespace]);
  const namespace = segments[3]!;
  if (namespace === 'whisk.system' && segments.slice(4).join('/') === 'actions/alarms/alarm' && req.method === 'POST') return invokeAlarmFeed(core, req, res);
  // `_` is the caller's own namespace; another one is not this key's to use.
  if (namespace !== '_' && namespace !== core.namespace) throw new RequestError(403, TEXT.notAuthorizedTo(segments.slice(3).join('/')));
  return handleNamespaceRequest({ core, maxBlockingWaitMs: options.maxBlockingWaitMs }, segments.slice(4), url, req, res);
}

export async function startController(options: ControllerOptions): Promise<ControllerServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    // The openwhisk client may end a URL with a bare `?`: URL parsing takes it as an empty query.
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const web = url.pathname.startsWith('/api/v1/web/');
    route(options, req, res, url).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof RequestError) return sendError(res, error.status, error.message, { headers: error.headers, pretty: web });
      console.error(`controller: ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendError(res, 500, TEXT.internal, { pretty: web });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  let closing: Promise<void> | undefined;
  return {
    server,
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}
