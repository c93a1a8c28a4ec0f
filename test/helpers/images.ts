/**
 * Image fixtures, made at test time from the face-api package's demo photos (no image file is committed), and a
 * real HTTP server on 127.0.0.1 that serves them the good and the bad ways a photo host can.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { PhotoError, type PhotoErrorCode } from '../../actions/lib/face/errors';
import type { FaceBox } from '../../actions/lib/types';
import { demoPhoto, SAMPLE1_FACES, type DemoNumber } from '../../local/standins/demo';
import { noiseImage } from '../../local/standins/stage-photos';

export { DEMO_NUMBERS, SAMPLE1_FACES, type DemoNumber } from '../../local/standins/demo';

export function demoBytes(n: DemoNumber): Buffer {
  return readFileSync(demoPhoto(n));
}

/** A square around a face, about 1.6× its size, as a head-and-shoulders profile picture is framed. */
function profileSquare(box: FaceBox, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const side = Math.round(Math.max(box.width, box.height) * 1.6);
  const left = Math.max(0, Math.round(box.x + box.width / 2 - side / 2));
  const top = Math.max(0, Math.round(box.y + box.height / 2 - side / 2));
  return { left, top, width: Math.min(side, width - left), height: Math.min(side, height - top) };
}

/** Face `index` of sample1 as a `size`-px square profile picture, JPEG re-encoded. */
export async function sample1Profile(index: number, size: number): Promise<Buffer> {
  const box = SAMPLE1_FACES[index];
  if (!box) throw new RangeError(`sample1 has faces 0 to ${SAMPLE1_FACES.length - 1}`);
  return sharp(demoBytes(1)).extract(profileSquare(box, 1920, 1280)).resize(size, size).jpeg({ quality: 85 }).toBuffer();
}

/** Two of sample1's faces side by side at the same size: whose picture is it? */
export async function twoFaceProfile(): Promise<Buffer> {
  const [a, b] = await Promise.all([sample1Profile(0, 200), sample1Profile(2, 200)]);
  return sharp({ create: { width: 400, height: 200, channels: 3, background: '#808080' } })
    .composite([
      { input: a, left: 0, top: 0 },
      { input: b, left: 200, top: 0 },
    ])
    .jpeg()
    .toBuffer();
}

/** A picture with no face: grey noise (seeded, the same every run). */
export async function noFaceImage(): Promise<Buffer> {
  return noiseImage(400, 400, 120, 20, 0).jpeg().toBuffer();
}

/** The first half of a JPEG. */
export function truncatedJpeg(): Buffer {
  const bytes = demoBytes(1);
  return bytes.subarray(0, Math.floor(bytes.length / 2));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid PNG header claiming `side`×`side` RGB pixels, with pixel data for one row only: a decoder that
 * believed the header would allocate gigabytes; one that decoded it would report it truncated.
 */
export function pixelBombPng(side = 30_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(side * 3 + 1))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * sample1 stored lying on its side (pixels rotated 90° anticlockwise) with EXIF orientation 6, which tells
 * viewers to turn it back upright: the engine must see, and report boxes in, the upright 1920×1280 photo.
 */
export async function sidewaysSample1(): Promise<Buffer> {
  const stored = await sharp(demoBytes(1)).rotate(-90).toBuffer();
  return sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
}

/** A two-frame GIF: `first` (e.g. a photo) then a plain grey frame, 480 px wide. */
export async function twoFrameGif(first: Buffer): Promise<Buffer> {
  const frame = await sharp(first).resize(480, 320, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const grey = Buffer.alloc(frame.length, 128);
  return sharp(Buffer.concat([frame, grey]), { raw: { width: 480, height: 640, channels: 3, pageHeight: 320 } })
    .gif()
    .toBuffer();
}

/** Asserts that `promise` rejects with a PhotoError of `code` whose reason matches `message`. */
export async function rejectsWithPhotoError(promise: Promise<unknown>, code: PhotoErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PhotoError, `expected a PhotoError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

// ---- a photo host --------------------------------------------------------------------------------------------

export type Route = (res: ServerResponse) => void;

export const serve = {
  bytes:
    (body: Buffer, type = 'image/jpeg'): Route =>
    (res) => {
      res.writeHead(200, { 'content-type': type, 'content-length': body.length });
      res.end(body);
    },
  status:
    (code: number): Route =>
    (res) => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(`status ${code}`);
    },
  redirect:
    (location: string, code = 302): Route =>
    (res) => {
      res.writeHead(code, { location });
      res.end();
    },
  /** Headers and a first chunk, then nothing, ever. */
  stall: (): Route => (res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 100_000 });
    res.write(demoBytes(1).subarray(0, 1000));
  },
  /** A body without Content-Length that goes on past any cap. */
  endless: (): Route => (res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    const chunk = Buffer.alloc(64 * 1024, 0xff);
    const pump = () => {
      while (res.write(chunk));
    };
    res.on('drain', pump);
    pump();
  },
};

export interface PhotoHost {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `127.0.0.1:PORT`, for FINDME_IMAGE_HOSTS. */
  host: string;
  url(path: string): string;
  /** Requests per path, to prove what was (not) fetched. */
  hits: Map<string, number>;
  route(path: string, route: Route): string;
}

/** A real HTTP server on 127.0.0.1, closed after the test file. Unknown paths answer 404. */
export async function startPhotoHost(): Promise<PhotoHost> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    (routes.get(path) ?? serve.status(404))(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    url: (path) => `${origin}${path}`,
    hits,
    route(path, route) {
      routes.set(path, route);
      return `${origin}${path}`;
    },
  };
}
