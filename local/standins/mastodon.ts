/**
 * A stand-in for a Mastodon instance: a real HTTP server on 127.0.0.1 answering like Mastodon 4 — `GET
 * /api/v1/instance` (its thumbnail on the instance's media path), `GET /api/v1/timelines/tag/:hashtag`
 * (statuses newest first, `only_media`, `limit` up to 40, `max_id` paging announced in a `Link` header,
 * `X-RateLimit-Limit/Remaining/Reset` on every answer, 429 on request or when asked again before a window it
 * said was used up resets) — and serving the attachments itself, or from a media host of its own (a second
 * server, as instances serve media from a CDN or files host that /api/v1/instance names). Faults for tests: a
 * closed timeline (401 without the token), an answer of any status or an HTML page, and a Link header pointing
 * at another host. `findme start` runs one with the demo posts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAttachment {
  type: 'image' | 'video' | 'gifv';
  /** The image bytes (a file path), served by this instance. */
  file?: string;
  /** Federated media this instance has not cached: `url` is null and only `remote_url` (this) is given. */
  remoteUrl?: string;
}

export interface FakeStatus {
  /** Digits, newest largest (Mastodon's ids are time-ordered). */
  id: string;
  username: string;
  /** The account's home domain when it is not this instance (a federated post). */
  domain?: string;
  /** The status's `uri` (its id across the fediverse); default one on this instance. */
  uri?: string;
  text?: string;
  createdAt?: string;
  media: FakeAttachment[];
}

export interface FakeMastodonOptions {
  /** Statuses by hashtag (without `#`, case-insensitive), newest first. */
  statuses: Record<string, FakeStatus[]>;
  /** When set, the timeline answers 401 unless this bearer token is sent. */
  accessToken?: string;
  /** 1-based numbers of timeline requests to answer with 429. */
  rateLimitOn?: number[];
  /** Seconds until the window resets in a 429 or a used-up window (default 1). */
  rateLimitResetS?: number;
  /**
   * 1-based numbers of timeline requests whose 200 says the window is used up (`X-RateLimit-Remaining: 0`);
   * a timeline request before its reset is then a 429, as Mastodon answers it.
   */
  exhaustOn?: number[];
  /** Serve the attachments (and the instance's thumbnail) from a second server, another host, instead. */
  separateMediaHost?: boolean;
  /** Every timeline request answered with this instead (a broken or misconfigured instance). */
  answer?: { status: number; body: string; contentType: string };
  /** The Link header's next page points at this origin instead of the instance's own. */
  linkOrigin?: string;
  /**
   * The instance's public domain (Mastodon's LOCAL_DOMAIN) in its posts' https uri and url; default
   * `mastodon.example`. The stand-in itself answers on plain http at 127.0.0.1, as no instance's web address does.
   */
  domain?: string;
  /** Listen here (findme start keeps its stand-ins' ports across restarts); default a free one. */
  port?: number;
}

export interface FakeMastodon {
  /** The instance's origin, for FINDME_MASTODON_INSTANCES. */
  origin: string;
  host: string;
  /** Where the attachments are served: this host, or the separate media host. */
  mediaHost: string;
  /** Timeline requests received, in order (path and query), with when they came (ms). */
  requests: Array<{ url: string; status: number; authorized: boolean; at: number }>;
  mediaServed: string[];
  close(): Promise<void>;
}

const RATE_LIMIT = 300;

export async function startFakeMastodon(options: FakeMastodonOptions): Promise<FakeMastodon> {
  let origin = '';
  const requests: FakeMastodon['requests'] = [];
  const mediaServed: string[] = [];
  // Every attachment is served from the start, as an instance keeps its media: a job kept across a restart of
  // findme start still downloads the photos its search found before.
  const files = new Map<string, string>();
  for (const list of Object.values(options.statuses)) {
    for (const s of list) s.media.forEach((m, i) => m.file && files.set(`${s.id}_${i}`, m.file));
  }
  let remaining = RATE_LIMIT;
  /** Until when the window is used up (ms), after an answer that said so. */
  let exhaustedUntil = 0;
  let mediaOrigin = '';

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function statusJson(s: FakeStatus) {
    const host = new URL(origin).host;
    const local = `https://${options.domain ?? 'mastodon.example'}`;
    const uri = s.uri ?? `${local}/users/${s.username}/statuses/${s.id}`;
    return {
      id: s.id,
      uri,
      url: s.domain ? `https://${s.domain}/@${s.username}/${s.id}` : `${local}/@${s.username}/${s.id}`,
      created_at: s.createdAt ?? new Date(Date.UTC(2026, 2, 1) + Number(s.id.slice(-6)) * 1000).toISOString(),
      // As Mastodon renders it: escaped text in a paragraph, each hashtag a link.
      content: `<p>${(s.text ?? `photos from ${host}`)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/#(\w+)/g, (_m, t: string) => `<a href="${origin}/tags/${t}" class="mention hashtag" rel="tag">#<span>${t}</span></a>`)}</p>`,
      visibility: 'public',
      reblog: null,
      account: { id: `a_${s.username}`, username: s.username, acct: s.domain ? `${s.username}@${s.domain}` : s.username, url: `${local}/@${s.username}` },
      media_attachments: s.media.map((m, i) => {
        const key = `${s.id}_${i}`;
        const local = m.remoteUrl ? null : `${mediaOrigin}/system/media_attachments/files/${key}.jpg`;
        return { id: key, type: m.type, url: local, preview_url: local, remote_url: m.remoteUrl ?? null, description: null };
      }),
    };
  }

  /** An attachment, from whichever server serves the media. */
  function media(url: URL, res: ServerResponse): void {
    const file = files.get(url.pathname.split('/').pop()!.replace(/\.\w+$/, ''));
    if (!file) return send(res, 404, { error: 'Record not found' });
    const body = readFileSync(file);
    mediaServed.push(url.href);
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length });
    res.end(body);
  }
  const isMedia = (url: URL) => url.pathname.startsWith('/system/media_attachments/files/');

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const reset = new Date(Date.now() + (options.rateLimitResetS ?? 1) * 1000).toISOString();
    if (req.method !== 'GET') return send(res, 405, { error: 'Method not allowed' });
    if (isMedia(url) && !options.separateMediaHost) return media(url, res);
    if (url.pathname === '/api/v1/instance') {
      return send(res, 200, { uri: url.host, title: 'findme stand-in', version: '4.3.0', thumbnail: `${mediaOrigin}/system/site_uploads/files/thumbnail.png`, stats: {} });
    }
    const tag = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(url.pathname)?.[1];
    if (!tag) return send(res, 404, { error: 'Record not found' });
    const authorized = options.accessToken !== undefined && req.headers.authorization === `Bearer ${options.accessToken}`;
    const record = { url: url.pathname + url.search, status: 200, authorized, at: Date.now() };
    requests.push(record);
    const limits = { 'x-ratelimit-limit': String(RATE_LIMIT), 'x-ratelimit-remaining': String(Math.max(0, --remaining)), 'x-ratelimit-reset': reset };
    if (options.answer) {
      record.status = options.answer.status;
      res.writeHead(options.answer.status, { 'content-type': options.answer.contentType });
      return void res.end(options.answer.body);
    }
    if (Date.now() < exhaustedUntil) {
      record.status = 429;
      return send(res, 429, { error: 'Too many requests' }, { ...limits, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(exhaustedUntil).toISOString() });
    }
    if (options.rateLimitOn?.includes(requests.length)) {
      record.status = 429;
      return send(res, 429, { error: 'Too many requests' }, { ...limits, 'x-ratelimit-remaining': '0' });
    }
    if (options.exhaustOn?.includes(requests.length)) {
      limits['x-ratelimit-remaining'] = '0';
      exhaustedUntil = Date.parse(reset);
    }
    if (options.accessToken !== undefined && !authorized) {
      record.status = 401;
      return send(res, 401, { error: 'This method requires an authenticated user' }, limits);
    }
    const limit = Math.min(40, Math.max(1, Number(url.searchParams.get('limit') ?? 20) || 20));
    const maxId = url.searchParams.get('max_id');
    const all = Object.entries(options.statuses).find(([name]) => name.toLowerCase() === decodeURIComponent(tag).toLowerCase())?.[1] ?? [];
    const matching = all.filter((s) => (url.searchParams.get('only_media') === 'true' ? s.media.length > 0 : true)).filter((s) => maxId === null || BigInt(s.id) < BigInt(maxId));
    const page = matching.slice(0, limit);
    const headers: Record<string, string> = { ...limits };
    if (page.length > 0) {
      const base = options.linkOrigin ?? origin;
      const next = new URL(`${base}/api/v1/timelines/tag/${tag}`);
      for (const [k, v] of url.searchParams) if (k !== 'max_id' && k !== 'min_id') next.searchParams.set(k, v);
      next.searchParams.set('max_id', page.at(-1)!.id);
      const prev = new URL(next);
      prev.searchParams.delete('max_id');
      prev.searchParams.set('min_id', page[0]!.id);
      headers.link = `<${next.href}>; rel="next", <${prev.href}>; rel="prev"`;
    }
    send(res, 200, page.map(statusJson), headers);
  });
  // The media host answers for media only, as a files host does.
  const mediaServer = options.separateMediaHost
    ? createServer((req, res) => {
        const url = new URL(req.url ?? '/', mediaOrigin);
        return req.method === 'GET' && isMedia(url) ? media(url, res) : send(res, 404, { error: 'Not found' });
      })
    : undefined;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mediaOrigin = origin;
  if (mediaServer) {
    await new Promise<void>((resolve) => mediaServer.listen(0, '127.0.0.1', resolve));
    mediaOrigin = `http://127.0.0.1:${(mediaServer.address() as AddressInfo).port}`;
  }
  const stop = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    origin,
    host: new URL(origin).host,
    mediaHost: new URL(mediaOrigin).host,
    requests,
    mediaServed,
    close: async () => {
      await Promise.all([stop(server), ...(mediaServer ? [stop(mediaServer)] : [])]);
    },
  };
}
