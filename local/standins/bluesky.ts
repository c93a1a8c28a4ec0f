/**
 * A stand-in for the Bluesky API a logged-in account sees: a real HTTP server on 127.0.0.1 with
 * com.atproto.server.createSession (handle or DID and app password), refreshSession, and app.bsky.feed.searchPosts
 * (`q`/`tag`, `sort=latest`, `limit` up to 100, opaque cursors; `ratelimit-*` headers; 400 ExpiredToken once an
 * access token has been used for `expireAfter` searches), and the images itself, as Bluesky's CDN does. Faults
 * for tests: a refused login, an expired session whose refresh is refused, a cursor that repeats, 429s.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeBlueskyPost {
  /** The record key; with the author's DID it makes the post's at:// uri. */
  rkey: string;
  handle: string;
  text?: string;
  createdAt?: string;
  /** Image files, embedded as app.bsky.embed.images (or recordWithMedia, a quote post with photos). */
  images: string[];
  quote?: boolean;
}

export interface FakeBlueskyOptions {
  /** Listen here (findme start keeps its stand-ins' ports across restarts); default a free one. */
  port?: number;
  identifier?: string;
  appPassword?: string;
  /** Posts by hashtag (without `#`, case-insensitive), newest first. */
  posts: Record<string, FakeBlueskyPost[]>;
  /** An access token answers 400 ExpiredToken after this many searches with it. */
  expireAfter?: number;
  /** refreshSession answers 400 ExpiredToken (the refresh token expired too). */
  refuseRefresh?: boolean;
  /** 1-based numbers of search requests answered with 429. */
  rateLimitOn?: number[];
  rateLimitResetS?: number;
  /** Every page after the first gives the same cursor again. */
  repeatCursor?: boolean;
}

export interface FakeBluesky {
  /** BLUESKY_SERVICE for findme. */
  origin: string;
  host: string;
  identifier: string;
  appPassword: string;
  /** Every XRPC call, in order. */
  calls: Array<{ method: string; status: number; cursor?: string }>;
  /** The account owner revokes the app password: logins with it are refused from now on. */
  revokeAppPassword(): void;
  close(): Promise<void>;
}

const didOf = (handle: string) => `did:plc:${Buffer.from(handle).toString('hex').slice(0, 24).padEnd(24, '0')}`;

export async function startFakeBluesky(options: FakeBlueskyOptions): Promise<FakeBluesky> {
  const identifier = options.identifier ?? 'findme-demo.bsky.social';
  const appPassword = options.appPassword ?? 'abcd-efgh-ijkl-mnop';
  let origin = '';
  const calls: FakeBluesky['calls'] = [];
  const access = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const images = new Map<string, string>();
  let searches = 0;
  let revoked = false;

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function newSession() {
    const accessJwt = `access-${randomBytes(12).toString('hex')}`;
    const refreshJwt = `refresh-${randomBytes(12).toString('hex')}`;
    access.set(accessJwt, 0);
    refreshTokens.add(refreshJwt);
    return { did: didOf(identifier), handle: identifier, accessJwt, refreshJwt, active: true };
  }

  const cidOf = (p: FakeBlueskyPost, i: number) => `bafkrei${Buffer.from(`${p.rkey}-${i}`).toString('hex')}`;
  // Every image is on the CDN from the start: a job kept across a restart of findme start still downloads them.
  for (const list of Object.values(options.posts)) {
    for (const p of list) p.images.forEach((file, i) => images.set(`${didOf(p.handle)}/${cidOf(p, i)}`, file));
  }

  function postView(p: FakeBlueskyPost) {
    const did = didOf(p.handle);
    const imagesView = {
      $type: 'app.bsky.embed.images#view',
      images: p.images.map((_file, i) => {
        const cid = cidOf(p, i);
        return { thumb: `${origin}/img/feed_thumbnail/plain/${did}/${cid}@jpeg`, fullsize: `${origin}/img/feed_fullsize/plain/${did}/${cid}@jpeg`, alt: '', aspectRatio: { width: 4, height: 3 } };
      }),
    };
    const embed = p.quote ? { $type: 'app.bsky.embed.recordWithMedia#view', media: imagesView, record: { record: { $type: 'app.bsky.embed.record#viewNotFound', uri: 'at://did:plc:x/app.bsky.feed.post/1', notFound: true } } } : imagesView;
    const createdAt = p.createdAt ?? new Date(Date.UTC(2026, 2, 1, 12)).toISOString();
    return {
      uri: `at://${did}/app.bsky.feed.post/${p.rkey}`,
      cid: `bafyrei${p.rkey}`,
      author: { did, handle: p.handle, displayName: p.handle.split('.')[0] },
      record: { $type: 'app.bsky.feed.post', text: p.text ?? '', createdAt, langs: ['en'] },
      embed,
      replyCount: 0,
      repostCount: 0,
      likeCount: 0,
      indexedAt: createdAt,
      labels: [],
    };
  }

  async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      if (req.method === 'GET' && url.pathname.startsWith('/img/')) {
        const key = url.pathname.split('/').slice(-2).join('/').replace(/@jpeg$/, '');
        const file = images.get(key);
        if (!file) return send(res, 404, { error: 'NotFound' });
        const bytes = readFileSync(file);
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': bytes.length });
        return void res.end(bytes);
      }
      const method = url.pathname.replace(/^\/xrpc\//, '');
      const record: FakeBluesky['calls'][number] = { method, status: 200 };
      calls.push(record);
      const answer = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        send(res, status, value, headers);
      };
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (method === 'com.atproto.server.createSession' && req.method === 'POST') {
        const given = await body(req);
        if ((given.identifier !== identifier && given.identifier !== didOf(identifier)) || given.password !== appPassword || revoked) return answer(401, { error: 'AuthenticationRequired', message: 'Invalid identifier or password' });
        return answer(200, newSession());
      }
      if (method === 'com.atproto.server.refreshSession' && req.method === 'POST') {
        if (options.refuseRefresh || !token || !refreshTokens.has(token)) return answer(400, { error: 'ExpiredToken', message: 'Token has expired' });
        refreshTokens.delete(token);
        return answer(200, newSession());
      }
      if (method === 'app.bsky.feed.searchPosts' && req.method === 'GET') {
        searches += 1;
        const reset = String(Math.floor(Date.now() / 1000) + (options.rateLimitResetS ?? 1));
        const limits = { 'ratelimit-limit': '3000', 'ratelimit-remaining': String(Math.max(0, 3000 - searches)), 'ratelimit-reset': reset, 'ratelimit-policy': '3000;w=300' };
        if (!token || !access.has(token)) return answer(401, { error: 'AuthenticationRequired', message: 'Authentication Required' });
        const used = access.get(token)!;
        if (options.expireAfter !== undefined && used >= options.expireAfter) return answer(400, { error: 'ExpiredToken', message: 'Token has expired' });
        access.set(token, used + 1);
        if (options.rateLimitOn?.includes(searches)) return answer(429, { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, { ...limits, 'ratelimit-remaining': '0' });
        const q = url.searchParams.get('q') ?? '';
        const tag = url.searchParams.get('tag') ?? /#(\w+)/.exec(q)?.[1];
        if (!q) return answer(400, { error: 'InvalidRequest', message: 'Error: Params must have the property "q"' });
        const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 25) || 25));
        const cursor = url.searchParams.get('cursor');
        if (cursor) record.cursor = cursor;
        const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
        if (!Number.isInteger(offset) || offset < 0) return answer(400, { error: 'InvalidRequest', message: 'Malformed cursor' });
        const all = Object.entries(options.posts).find(([name]) => name.toLowerCase() === (tag ?? '').toLowerCase())?.[1] ?? [];
        const page = all.slice(offset, offset + limit);
        const more = offset + limit < all.length;
        const nextCursor = options.repeatCursor && cursor ? cursor : more ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
        return answer(200, { posts: page.map(postView), hitsTotal: all.length, ...(nextCursor ? { cursor: nextCursor } : {}) }, limits);
      }
      answer(404, { error: 'MethodNotImplemented', message: `Method Not Implemented: ${method}` });
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'InternalServerError', message: 'Internal Server Error' });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    host: new URL(origin).host,
    identifier,
    appPassword,
    calls,
    revokeAppPassword: () => {
      revoked = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
