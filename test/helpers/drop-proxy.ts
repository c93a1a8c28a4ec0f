/**
 * A TCP proxy between a Redis client and a real redis-server that forwards every command and, when armed, drops
 * the reply of the first command that matches: the command reaches Redis and runs, then the client's connection
 * is closed before that reply is delivered (replies before it are delivered as usual). The worst moment for a
 * connection to drop: the write happened and the caller cannot know. Armed once, it drops once.
 */
import { createHash } from 'node:crypto';
import { createServer, connect, type Socket } from 'node:net';

/** One command as the client sent it: its name and arguments, as text. */
export type Command = string[];

export interface DropProxy {
  url: string;
  /**
   * Drops the reply of the next command for which `match` is true (once); then, for `downMs`, closes every new
   * connection at once (Redis unreachable: ioredis gives up on the command, and retry.ts calls again).
   */
  arm(match: (command: Command) => boolean, downMs?: number): void;
  /** Replies dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

const CRLF = Buffer.from('\r\n');

/** The end of the line starting at `at` (the index of its CR), or -1 when it has not all arrived. */
function lineEnd(buffer: Buffer, at: number): number {
  return buffer.indexOf(CRLF, at);
}

/** The offset just past one whole RESP2 value starting at `at`, or undefined while it has not all arrived. */
function valueEnd(buffer: Buffer, at: number): number | undefined {
  const end = lineEnd(buffer, at);
  if (end < 0) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const size = Number(buffer.subarray(at + 1, end).toString());
  if (type === '$') {
    if (size < 0) return end + 2;
    return buffer.length >= end + 2 + size + 2 ? end + 2 + size + 2 : undefined;
  }
  if (type === '*') {
    let next: number | undefined = end + 2;
    for (let i = 0; i < size && next !== undefined; i++) next = valueEnd(buffer, next);
    return next;
  }
  return end + 2;
}

/** The whole commands at the start of `buffer` (arrays of bulk strings, as ioredis sends them) and where they end. */
function parseCommands(buffer: Buffer): { commands: Command[]; used: number } {
  const commands: Command[] = [];
  let used = 0;
  for (;;) {
    const end = valueEnd(buffer, used);
    if (end === undefined) return { commands, used };
    const command: Command = [];
    let at = lineEnd(buffer, used) + 2;
    while (at < end) {
      const header = lineEnd(buffer, at);
      const size = Number(buffer.subarray(at + 1, header).toString());
      command.push(buffer.subarray(header + 2, header + 2 + size).toString());
      at = header + 2 + size + 2;
    }
    commands.push(command);
    used = end;
  }
}

/** A matcher for calls of the script whose text contains `snippet` (the proxy shows an EVALSHA as the EVAL it stands for). */
export function scriptCall(snippet: string): (command: Command) => boolean {
  return ([name, script]) => name?.toLowerCase() === 'eval' && script !== undefined && script.includes(snippet);
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** The proxy in front of `redisUrl` (redis://host:port), on 127.0.0.1. */
export async function startDropProxy(redisUrl: string): Promise<DropProxy> {
  const target = new URL(redisUrl);
  let armed: ((command: Command) => boolean) | undefined;
  let downMs = 0;
  let downUntil = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  /** The scripts an EVAL has loaded, by SHA, so that a later EVALSHA of one can be matched by its text. */
  const scripts = new Map<string, string>();
  const asSeen = ([name, ...args]: Command): Command => {
    const verb = name?.toLowerCase();
    if (verb === 'eval' && args[0] !== undefined) scripts.set(sha1(args[0]), args[0]);
    const text = verb === 'evalsha' ? scripts.get(args[0]?.toLowerCase() ?? '') : undefined;
    return text === undefined ? [name ?? '', ...args] : ['EVAL', text, ...args.slice(1)];
  };
  const server = createServer((client) => {
    if (Date.now() < downUntil) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let requests = Buffer.alloc(0);
    let replies = Buffer.alloc(0);
    let sent = 0;
    let answered = 0;
    /** The index (in this connection's commands) of the one whose reply is to be dropped. */
    let dropAt: number | undefined;
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      requests = Buffer.concat([requests, chunk]);
      const { commands, used } = parseCommands(requests);
      requests = requests.subarray(used);
      for (const command of commands.map(asSeen)) {
        if (armed && dropAt === undefined && armed(command)) {
          armed = undefined;
          dropAt = sent;
        }
        sent += 1;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      replies = Buffer.concat([replies, chunk]);
      let used = 0;
      for (let next = valueEnd(replies, used); next !== undefined; next = valueEnd(replies, used)) {
        if (answered === dropAt) {
          dropped += 1;
          downUntil = Date.now() + downMs;
          end();
          return;
        }
        client.write(replies.subarray(used, next));
        answered += 1;
        used = next;
      }
      replies = replies.subarray(used);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', () => {
        sockets.delete(socket);
        end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('drop proxy: no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    arm: (match, down = 0) => {
      armed = match;
      downMs = down;
    },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
