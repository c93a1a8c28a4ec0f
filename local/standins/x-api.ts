/**
 * A stand-in for the X API v2 recent-search endpoint and its media host: a real HTTP server on 127.0.0.1 that
 * answers like X (v2 JSON shapes, `includes.media` and `includes.users`, `next_token` paging, rate-limit
 * headers, 429s on request) and serves the photos itself. `findme start` uses it, with the demo hashtag, when
 * no X_BEARER_TOKEN is set; the tests use it to script X's behaviour.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';

export interface FakeMedia {
  type: 'photo' | 'video' | 'animated_gif';
  /** Same key = same media (X reuses keys when a post quotes or repeats media). Default: generated. */
  key?: string;
  /** Photo bytes: a file path or a buffer. Videos and GIFs only have a preview. */
  file?: string;
  body?: Buffer;
}

export interface FakeTweet {
  id: string;
  username: string;
  text?: string;
  /** A retweet: excluded by `-is:retweet`, as X does. */
  retweetOf?: string;
  media: FakeMedia[];
}

export interface FakeXOptions {
  bearerToken?: string;
  /** Tweets by hashtag (without `#`, compared case-insensitively), newest first. */
  tweets: Record<string, FakeTweet[]>;
  /**
   * Tweets by hashtag made only when first needed: when that hashtag is searched, or when a media request names a
   * key the stand-in does not hold (a job kept across a restart downloads photos found before). For demo photos
   * that are costly to make (the stage composites), which most runs never search.
   */
  lazyTweets?: Record<string, () => Promise<FakeTweet[]>>;
  /** 1-based numbers of search requests to answer with 429. */
  rateLimitOn?: number[];
  /** Seconds until the window resets in a 429's `x-rate-limit-reset`; null: the 429 has no such header. */
  rateLimitResetS?: number | null;
  /** Default: any free port. */
  port?: number;
}

export interface FakeX {
  /** X_API_BASE_URL for findme: `http://127.0.0.1:PORT/2/`. */
  baseUrl: string;
  /** FINDME_IMAGE_HOSTS entry for the media it serves. */
  host: string;
  bearerToken: string;
  /** The search requests received, in order. */
  searches: Array<{ query: string; nextToken?: string; status: number }>;
  /** Media URLs served so far, in order. */
  mediaServed: string[];
  mediaUrl(key: string, file?: string): string;
  close(): Promise<void>;
}

interface StoredMedia {
  key: string;
  type: FakeMedia['type'];
  url: string;
  body: Buffer | undefined;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif' };

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function problem(res: ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}): void {
  send(res, status, { title, detail, type: 'about:blank', status }, headers);
}

export async function startFakeX(options: FakeXOptions): Promise<FakeX> {
  const bearerToken = options.bearerToken ?? `fake-x-${randomBytes(12).toString('hex')}`;
  const media = new Map<string, StoredMedia>();
  const searches: FakeX['searches'] = [];
  const mediaServed: string[] = [];
  let origin = '';
  let generated = 0;
  let windowRemaining = 450;
  const tweets: Record<string, FakeTweet[]> = { ...options.tweets };
  const making = new Map<string, Promise<void>>();

  /** Makes the lazy tweets of `tag` (every lazy hashtag when unset), once; their media are then served. */
  function made(tag?: string): Promise<void> {
    const lazy = Object.entries(options.lazyTweets ?? {}).filter(([name]) => tag === undefined || name.toLowerCase() === tag.toLowerCase());
    return Promise.all(
      lazy.map(([name, make]) => {
        let pending = making.get(name);
        if (!pending) {
          pending = make().then((list) => {
            tweets[name] = list;
            for (const tweet of list) for (const item of tweet.media) if (item.key) storeMedia(item);
          });
          // A failure is not kept: the next request tries again.
          pending.catch(() => making.delete(name));
          making.set(name, pending);
        }
        return pending;
      }),
    ).then(() => undefined);
  }

  function storeMedia(item: FakeMedia): StoredMedia {
    const key = item.key ?? `3_${1_000_000 + generated++}`;
    const existing = media.get(key);
    if (existing) return existing;
    const ext = item.file ? extname(item.file).toLowerCase() : '.jpg';
    const stored: StoredMedia = {
      key,
      type: item.type,
      url: `${origin}/media/${key}${item.type === 'photo' ? ext : '.jpg'}`,
      body: item.body ?? (item.file ? readFileSync(item.file) : undefined),
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
    };
    media.set(key, stored);
    return stored;
  }

  async function search(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const query = url.searchParams.get('query') ?? '';
    const nextToken = url.searchParams.get('next_token') ?? undefined;
    const record = { query, ...(nextToken ? { nextToken } : {}), status: 200 };
    searches.push(record);
    const reset = String(Math.floor(Date.now() / 1000) + (options.rateLimitResetS ?? 1));
    if (options.rateLimitOn?.includes(searches.length)) {
      record.status = 429;
      const resetHeader: Record<string, string> = options.rateLimitResetS === null ? {} : { 'x-rate-limit-reset': reset };
      return problem(res, 429, 'Too Many Requests', 'Too Many Requests', { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', ...resetHeader });
    }
    const limits = { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': String(Math.max(0, --windowRemaining)), 'x-rate-limit-reset': reset };
    const tag = /(?:^|\s)#(\w+)/u.exec(query)?.[1];
    if (!tag) {
      record.status = 400;
      return problem(res, 400, 'Invalid Request', 'One or more parameters to your request was invalid: query needs a hashtag in this stand-in');
    }
    const max = Number(url.searchParams.get('max_results') ?? 10);
    if (!Number.isInteger(max) || max < 10 || max > 100) {
      record.status = 400;
      return problem(res, 400, 'Invalid Request', `The \`max_results\` query parameter value [${url.searchParams.get('max_results')}] is not between 10 and 100`);
    }
    const offset = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0) {
      record.status = 400;
      return problem(res, 400, 'Invalid Request', 'The `next_token` query parameter value is invalid');
    }
    await made(tag);
    const all = Object.entries(tweets).find(([name]) => name.toLowerCase() === tag.toLowerCase())?.[1] ?? [];
    const matching = all.filter((t) => {
      if (/-is:retweet/.test(query) && t.retweetOf) return false;
      if (/(^|\s)has:images/.test(query) && !t.media.some((m) => m.type === 'photo')) return false;
      return true;
    });
    const page = matching.slice(offset, offset + max);
    if (page.length === 0) return send(res, 200, { meta: { result_count: 0 } }, limits);
    const pageMedia = new Map<string, StoredMedia>();
    const data = page.map((t) => {
      const keys = t.media.map((m) => {
        const stored = storeMedia(m);
        pageMedia.set(stored.key, stored);
        return stored.key;
      });
      return {
        id: t.id,
        text: t.text ?? `photos from #${tag}`,
        author_id: `u_${t.username}`,
        // X's ids are snowflakes: the post's time is in their upper bits, so the stand-in's times agree with its ids.
        ...(/^\d{15,20}$/.test(t.id) ? { created_at: new Date(Number(BigInt(t.id) >> 22n) + 1288834974657).toISOString() } : {}),
        edit_history_tweet_ids: [t.id],
        ...(keys.length ? { attachments: { media_keys: keys } } : {}),
        ...(t.retweetOf ? { referenced_tweets: [{ type: 'retweeted', id: t.retweetOf }] } : {}),
      };
    });
    const users = [...new Set(page.map((t) => t.username))].map((u) => ({ id: `u_${u}`, username: u, name: u }));
    const includes = {
      media: [...pageMedia.values()].map((m) =>
        m.type === 'photo' ? { media_key: m.key, type: m.type, url: m.url } : { media_key: m.key, type: m.type, preview_image_url: m.url },
      ),
      users,
    };
    const next = offset + max < matching.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    const meta = { result_count: data.length, newest_id: data[0]!.id, oldest_id: data.at(-1)!.id, ...(next ? { next_token: next } : {}) };
    send(res, 200, { data, includes, meta }, limits);
  }

  async function serveMedia(res: ServerResponse, url: URL): Promise<void> {
    const key = url.pathname.slice('/media/'.length).replace(/\.\w+$/, '');
    if (!media.has(key)) await made();
    const item = media.get(key);
    if (!item?.body) return problem(res, 404, 'Not Found', 'no such media');
    mediaServed.push(url.href);
    res.writeHead(200, { 'content-type': item.contentType, 'content-length': item.body.length });
    res.end(item.body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const failed = (error: unknown) => problem(res, 500, 'Internal Server Error', `the X stand-in failed: ${error instanceof Error ? error.message : String(error)}`);
    if (req.method === 'GET' && url.pathname.startsWith('/media/')) return void serveMedia(res, url).catch(failed);
    if (req.headers.authorization !== `Bearer ${bearerToken}`) {
      return problem(res, 401, 'Unauthorized', 'Unauthorized');
    }
    if (req.method === 'GET' && url.pathname === '/2/tweets/search/recent') return void search(req, res, url).catch(failed);
    problem(res, 404, 'Not Found', `no route ${req.method} ${url.pathname} in the X stand-in`);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  // Media with a key are served from the start, not only once a search has listed them: a job kept across a
  // restart of `findme start` downloads photos it found before (the port is kept too, local/standin-ports.ts).
  for (const list of Object.values(tweets)) for (const tweet of list) for (const item of tweet.media) if (item.key) storeMedia(item);
  return {
    baseUrl: `${origin}/2/`,
    host: `127.0.0.1:${port}`,
    bearerToken,
    searches,
    mediaServed,
    mediaUrl: (key, file = '.jpg') => `${origin}/media/${key}${file.startsWith('.') ? file : extname(file)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
