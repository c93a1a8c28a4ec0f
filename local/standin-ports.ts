/**
 * The stand-ins' ports, kept beside the private Redis's data (`findme start --data-dir`): a job kept across a
 * restart holds photo URLs on the source stand-ins and a profile picture URL on the identity provider, with their
 * ports; new random ports would make every photo not yet compared undownloadable (and refused by the image-host
 * policy). So each start takes the ports of the last one where they are still free, and records what it took.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface StandinPorts {
  x: number;
  identity: number;
  mastodon: number;
  bluesky: number;
}

const NAMES = ['x', 'identity', 'mastodon', 'bluesky'] as const;
const FILE = 'findme-standins.json';

function read(dataDir: string): Partial<StandinPorts> {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as Record<string, unknown>;
    const port = (v: unknown) => (Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536 ? (v as number) : undefined);
    const ports: Partial<StandinPorts> = {};
    for (const name of NAMES) {
      const value = port(parsed[name]);
      if (value) ports[name] = value;
    }
    return ports;
  } catch {
    // None yet, or not ours: new ports.
    return {};
  }
}

/**
 * New ports come from below Linux's default ephemeral range (32768–60999): a port the OS picks is one it also
 * hands to outgoing connections, and one such connection on the port when findme starts again takes it from the
 * stand-in (seen in the restart test while another test made a thousand requests).
 */
const RANGE = { from: 20_000, to: 32_000 };
/** Random tries in RANGE before falling back to a port the OS picks. */
const TRIES = 50;

const isFree = (port: number): Promise<boolean> => freePort(port).then(() => true, () => false);

async function newPort(taken: ReadonlySet<number>): Promise<number> {
  for (let i = 0; i < TRIES; i++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from));
    if (!taken.has(port) && (await isFree(port))) return port;
  }
  let port = await freePort();
  while (taken.has(port)) port = await freePort();
  return port;
}

/** The last start's ports where free, else new free ones (no two the same); written back for the next start. */
export async function standinPorts(dataDir: string): Promise<StandinPorts> {
  const last = read(dataDir);
  const taken = new Set<number>();
  const take = async (port: number | undefined): Promise<number> => {
    const kept = port && !taken.has(port) && (await isFree(port));
    const chosen = kept ? port : await newPort(taken);
    taken.add(chosen);
    return chosen;
  };
  const ports: StandinPorts = { x: await take(last.x), identity: await take(last.identity), mastodon: await take(last.mastodon), bluesky: await take(last.bluesky) };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, FILE), JSON.stringify(ports) + '\n');
  return ports;
}
