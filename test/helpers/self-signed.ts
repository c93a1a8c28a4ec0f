/**
 * A stand-in OpenWhisk controller over HTTPS with a self-signed certificate (as on many self-hosted clusters): it
 * records each call and answers every one 202 with the same activation id. `asController` points the `openwhisk`
 * client at it through __OW_API_HOST/__OW_API_KEY, as the runtime does inside an activation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export const ACTIVATION_ID = 'a'.repeat(32);

export interface SelfSignedController {
  apiHost: string;
  /** `METHOD /path` of each call, without the query. */
  calls: string[];
}

export async function useSelfSignedController(): Promise<SelfSignedController> {
  const dir = mkdtempSync(join(tmpdir(), 'findme-cert-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore', timeout: 30_000 });
  const calls: string[] = [];
  const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    calls.push(`${req.method} ${req.url?.split('?')[0]}`);
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ activationId: ACTIVATION_ID }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { apiHost: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

/** Runs `body` with the openwhisk client's environment pointing at `controller`, then restores it. */
export async function asController<T>(controller: SelfSignedController, body: () => Promise<T>): Promise<T> {
  const saved = { host: process.env.__OW_API_HOST, key: process.env.__OW_API_KEY };
  process.env.__OW_API_HOST = controller.apiHost;
  process.env.__OW_API_KEY = 'uuid:key';
  try {
    return await body();
  } finally {
    if (saved.host === undefined) delete process.env.__OW_API_HOST;
    else process.env.__OW_API_HOST = saved.host;
    if (saved.key === undefined) delete process.env.__OW_API_KEY;
    else process.env.__OW_API_KEY = saved.key;
  }
}
