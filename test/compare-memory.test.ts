/**
 * Memory of a compare_images container on the worst images it may be sent, on the real stack (the local
 * platform running serverless.yml, the X stand-in serving the images): each image is its own search, compared by
 * a fresh container, whose peak resident memory the invoker reads from /proc/<pid>/status (VmHWM) when the
 * activation ends (the record's `peakMemory`). Every one must stay under the action's 512 MB limit, which
 * OpenWhisk enforces on the container (the local platform only notes it).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { annotation } from '../local/activations';
import { demoPhoto, distinctJpeg, type DemoNumber } from '../local/standins/demo';
import { startIdentityProvider } from '../local/standins/identity';
import type { FakeTweet } from '../local/standins/x-api';
import type { RegisterSearchResponse } from '../actions/lib/types';
import { JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { eventually } from './helpers/eventually';
import { connectRedis } from './helpers/redis';
import { useStack } from './helpers/stack';

const LIMIT_MB = 512;
const SIDE = 6320; // 39.9 Mpx: under the 40 Mpx cap, as in issue 14's report
const flat = { width: SIDE, height: SIDE, channels: 4 as const, background: { r: 200, g: 150, b: 100, alpha: 0.8 } };

const rgb = { ...flat, channels: 3 as const, background: '#c89664' };
/**
 * A flat CMYK JPEG at the pixel cap, made in CMYK throughout: converting 40 Mpx of RGB to CMYK takes libvips ≈ 14 s,
 * enlarging a small CMYK JPEG without leaving CMYK ≈ 1 s, and the bytes are the same. Made once for both cases.
 */
let cmykJpeg: Promise<Buffer> | undefined;
const cmyk = () =>
  (cmykJpeg ??= sharp({ create: { ...rgb, width: 64, height: 64 } })
    .toColourspace('cmyk')
    .jpeg({ quality: 90 })
    .toBuffer()
    .then((small) => sharp(small).pipelineColourspace('cmyk').resize(SIDE, SIDE, { kernel: 'nearest' }).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer()));
/**
 * The worst cases: formats, depths and orientations libvips cannot shrink while it decodes, at the pixel cap, and
 * those that must be decoded whole at the largest size findme still takes (decode.ts, WHOLE_DECODE_BUDGET_BYTES).
 * Each follows a demo photo in its batch, so it is decoded in a container whose WASM heap has already grown to
 * SSD's working set: the worst moment for a large decode. `refused`: refused from its header, nothing decoded.
 */
const cases: Array<{ name: string; refused?: boolean; demos?: number; bytes: () => Promise<Buffer> }> = [
  { name: 'demo photo 1920 px alone (baseline)', bytes: async () => Buffer.alloc(0) },
  { name: `PNG ${SIDE}² 16-bit RGBA`, bytes: () => sharp({ create: flat }).toColourspace('rgb16').png({ compressionLevel: 9 }).toBuffer() },
  { name: `PNG ${SIDE}² 16-bit RGBA, EXIF orientation 6 (rotated on decode)`, bytes: () => sharp({ create: flat }).toColourspace('rgb16').withMetadata({ orientation: 6 }).png({ compressionLevel: 9 }).toBuffer() },
  { name: `PNG ${SIDE}² 16-bit RGBA interlaced`, refused: true, bytes: () => sharp({ create: flat }).toColourspace('rgb16').png({ progressive: true, compressionLevel: 9 }).toBuffer() },
  { name: 'PNG 2800² 16-bit RGBA interlaced (decoded whole: 60 MB)', bytes: () => sharp({ create: { ...flat, width: 2800, height: 2800 } }).toColourspace('rgb16').png({ progressive: true, compressionLevel: 9 }).toBuffer() },
  { name: `JPEG ${SIDE}² CMYK`, bytes: cmyk },
  { name: `JPEG ${SIDE}² progressive`, refused: true, bytes: () => sharp({ create: rgb }).jpeg({ progressive: true }).toBuffer() },
  { name: 'JPEG 4096² progressive 4:2:0 (X\'s largest; decoded whole: 48 MB)', bytes: () => sharp({ create: { ...rgb, width: 4096, height: 4096 } }).jpeg({ progressive: true }).toBuffer() },
  { name: `TIFF ${SIDE}²`, refused: true, bytes: () => sharp({ create: rgb }).tiff({ compression: 'lzw' }).toBuffer() },
  // A warm container: the six demo photos have grown its WASM heap to its working set before the worst decode.
  {
    name: `warm: demo photos 1–6, then JPEG ${SIDE}² CMYK`,
    demos: 6,
    // Bytes of its own: the CMYK case's would come from the cache of faces by bytes, with no decode.
    bytes: async () => distinctJpeg(await cmyk(), 'warm'),
  },
];

const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());
const tweets: Record<string, FakeTweet[]> = {};
const sizes: number[] = [];
for (const [i, c] of cases.entries()) {
  const body = await c.bytes();
  sizes.push(body.length);
  // Newest first: the demo photos are the batch's first; under their own URLs and in bytes of their own in each,
  // so never a cache hit (by URL or by bytes): each runs the engine in the case's fresh container.
  const demos = Array.from({ length: c.demos ?? 1 }, (_, d) => ({
    type: 'photo' as const,
    key: `3_memorydemo${i}x${d}`,
    body: distinctJpeg(readFileSync(demoPhoto((d + 1) as DemoNumber)), `memory ${i} ${d}`),
  }));
  tweets[`memory${i}`] = [
    { id: String(8_000_100 + i), username: 'memory', media: demos },
    ...(body.length > 0 ? [{ id: String(8_000_000 + i), username: 'memory', media: [{ type: 'photo' as const, key: `3_memory${i}`, body }] }] : []),
  ];
}
const { stack, register, waitForEnd, activations } = await useStack({
  x: { tweets },
  stack: {
    identity: { domain: identity.domain, audience: identity.audience, host: identity.host },
    // FINDME_DETECT_FINE from the environment measures another fine pass (`FINDME_DETECT_FINE=windows node --test …`).
    env: { FINDME_USER_PER_MINUTE: '100', ...(process.env.FINDME_DETECT_FINE ? { FINDME_DETECT_FINE: process.env.FINDME_DETECT_FINE } : {}) },
    // Idle containers go within a second, so every case starts in a fresh one and its peak is its own.
    platform: { idleTimeoutMs: 1000 },
  },
});
const jobs = new JobStore(connectRedis(stack.redisUrl), makeKeys(), { jobTtlS: 3600 });

test(`compare_images stays under ${LIMIT_MB} MB on the worst images (peak RSS of the container from /proc)`, { timeout: 300_000 }, async () => {
  const token = await identity.issueAccessToken({ sub: 'local|ada' });
  const rows: Array<{ name: string; kb: number; peakMb: number; outcome: string }> = [];
  for (const [i, c] of cases.entries()) {
    await eventually(() => !stack.platform.pool.snapshot()['findme/compare_images'], 30_000, () => 'the last compare_images container was reaped');
    const response = await register(token, { hashtag: `memory${i}` });
    assert.equal(response.status, 202, await response.clone().text());
    const { jobId } = (await response.json()) as RegisterSearchResponse;
    const final = await waitForEnd(token, jobId, 120_000);
    assert.equal(final.status, 'done', JSON.stringify(final));
    const records = await activations('compare_images', jobId);
    assert.equal(records.length, 1, `${c.name}: one compare_images activation`);
    const record = records[0]!;
    assert.ok(annotation(record, 'initTime') !== undefined, `${c.name}: compared in a fresh container`);
    const { cached, sameBytes } = record.response.result as { cached?: number; sameBytes?: number };
    assert.deepEqual([cached, sameBytes], [0, 0], `${c.name}: every photo ran the engine, none came from a cache`);
    const peak = Number(annotation(record, 'peakMemory'));
    assert.ok(peak > 0, `${c.name}: the container's VmHWM was read`);
    const failure = final.failed > 0 ? (await jobs.failures(jobId))[0]?.reason : undefined;
    assert.equal(final.matched, 1, `${c.name}: demo photo 1 before it was compared and matched (${JSON.stringify(final)})`);
    assert.equal(final.processed + final.failed, (c.demos ?? 1) + (sizes[i]! > 0 ? 1 : 0), `${c.name}: every photo of the batch checked (${JSON.stringify(final)})`);
    assert.equal(failure !== undefined, c.refused === true, `${c.name}: ${c.refused ? 'refused' : 'compared'} (${failure ?? 'compared'})`);
    rows.push({ name: c.name, kb: Math.round(sizes[i]! / 1024), peakMb: Math.round(peak / 2 ** 20), outcome: failure ? `refused: ${failure}` : 'compared' });
  }
  for (const row of rows) console.log(`# ${row.name}, ${row.kb} KB: peak RSS ${row.peakMb} MB (${row.outcome})`);
  console.log(`# fine pass ${process.env.FINDME_DETECT_FINE ?? 'default'}; CPU ${cpus()[0]?.model}`);
  for (const row of rows) assert.ok(row.peakMb < LIMIT_MB, `${row.name}: peak ${row.peakMb} MB, over ${LIMIT_MB} MB`);
});
