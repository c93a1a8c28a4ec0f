/**
 * The stand-ins' ports, kept beside the private Redis's data (`findme start --data-dir`): a job kept across a
 * restart holds photo URLs on the X stand-in and a profile picture URL on the identity provider, with their
 * ports; new random ports would make every photo not yet compared undownloadable (and refused by the image-host
 * policy). So each start takes the ports of the last one where they are still free, and records what it took.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface StandinPorts {
  x: number;
  identity: number;
}

const FILE = 'findme-standins.json';

function read(dataDir: string): Partial<StandinPorts> {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as Record<string, unknown>;
    const port = (v: unknown) => (Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536 ? (v as number) : undefined);
    return { ...(port(parsed.x) ? { x: port(parsed.x)! } : {}), ...(port(parsed.identity) ? { identity: port(parsed.identity)! } : {}) };
  } catch {
    // None yet, or not ours: new ports.
    return {};
  }
}

/** The last start's ports where free, else new free ones; written back for the next start. */
export async function standinPorts(dataDir: string): Promise<StandinPorts> {
  const last = read(dataDir);
  const take = async (port: number | undefined) => (port ? await freePort(port).catch(() => freePort()) : freePort());
  const x = await take(last.x);
  let identity = await take(last.identity);
  if (identity === x) identity = await freePort();
  const ports = { x, identity };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, FILE), JSON.stringify(ports) + '\n');
  return ports;
}
