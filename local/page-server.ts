/**
 * Serves the built page (dist/web) and its runtime configuration (/config.json) on 127.0.0.1, with a Content
 * Security Policy that lets the page talk only to its own origin, the API and the identity provider, and show
 * images only from the hosts photos come from.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { PageConfig } from '../actions/lib/types';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

export interface PageServerOptions {
  root: string;
  port?: number;
  /**
   * Read per request: the API and identity provider start after the page server (the identity provider needs the
   * page's origin). Undefined until they have: /config.json then answers 503 with Retry-After, and the page waits.
   */
  config: () => PageConfig | undefined;
  /** Origins the page may call (API, identity provider) and frame (identity provider). */
  connectOrigins: () => string[];
  /** Hosts images may come from (photos, profile pictures). */
  imageHosts: () => string[];
}

export interface PageServer {
  url: string;
  origin: string;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

function csp(options: PageServerOptions): string {
  const connect = options.connectOrigins().join(' ');
  const images = options
    .imageHosts()
    .map((h) => (/^(127\.0\.0\.1|localhost)(:|$)/.test(h) ? `http://${h}` : `https://${h}`))
    .join(' ');
  return [
    "default-src 'self'",
    `connect-src 'self' ${connect}`,
    `img-src 'self' data: blob: ${images}`,
    `frame-src ${connect || "'none'"}`,
    "style-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function serve(options: PageServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const common = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...common, allow: 'GET, HEAD' });
    return void res.end();
  }
  if (url.pathname === '/config.json') {
    const config = options.config();
    const json = { ...common, 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (!config) {
      res.writeHead(503, { ...json, 'retry-after': '1' });
      return void res.end(JSON.stringify({ error: 'findme is still starting' }));
    }
    res.writeHead(200, json);
    return void res.end(JSON.stringify(config));
  }
  const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const file = normalize(join(options.root, relative));
  if (!file.startsWith(options.root + sep)) {
    res.writeHead(404, common);
    return void res.end();
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    res.writeHead(404, { ...common, 'content-type': 'text/plain' });
    return void res.end('not found');
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...common,
    'content-type': type,
    'cache-control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=60',
    ...(type.startsWith('text/html') ? { 'content-security-policy': csp(options) } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    serve(options, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`port ${options.port} on 127.0.0.1 is in use; choose another with --port (0 picks a free one)`) : error),
    );
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
