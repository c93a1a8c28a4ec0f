/**
 * The runtime's zip reader against archives written by JSZip (what the build and the tests write): stored and
 * deflated, with directories, data descriptors and a comment; and damaged archives refused with a reason.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import JSZip from 'jszip';
import { unzip, ZipError } from '../local/runtime/unzip';

const FILES: Record<string, Buffer> = {
  'index.js': Buffer.from('exports.main = () => ({ ok: true });\n'.repeat(200)),
  'lib/deep/data.bin': randomBytes(70_000),
  'lib/empty.txt': Buffer.alloc(0),
  'ünïcode name.txt': Buffer.from('naïve ☃'),
};

async function written(options: JSZip.JSZipGeneratorOptions<'nodebuffer'>): Promise<Buffer> {
  const zip = new JSZip();
  zip.folder('lib/deep');
  for (const [name, data] of Object.entries(FILES)) zip.file(name, data);
  return zip.generateAsync({ ...options, type: 'nodebuffer' });
}

function files(entries: ReturnType<typeof unzip>): Record<string, Buffer> {
  return Object.fromEntries(entries.filter((e) => !e.dir).map((e) => [e.name, e.data]));
}

for (const [label, options] of [
  ['stored', { compression: 'STORE' }],
  ['deflated', { compression: 'DEFLATE', compressionOptions: { level: 9 } }],
  ['deflated, streamed with data descriptors and a comment', { compression: 'DEFLATE', streamFiles: true, comment: 'built by findme' }],
] as const) {
  test(`a ${label} archive unpacks byte for byte, directories included`, async () => {
    const entries = unzip(await written(options));
    assert.deepEqual(files(entries), FILES);
    assert.ok(entries.some((e) => e.dir && e.name === 'lib/deep/'));
  });
}

test('damaged archives are refused with what is wrong', async () => {
  const good = await written({ compression: 'DEFLATE' });
  assert.throws(() => unzip(Buffer.from('PK\u0003\u0004 and then nothing')), (e: unknown) => e instanceof ZipError && /end of central directory/.test(e.message));
  assert.throws(() => unzip(good.subarray(0, good.length - 200)), ZipError);
  // Flip bytes inside the first entry's deflated data.
  const corrupt = Buffer.from(good);
  for (let i = 60; i < 90; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
  assert.throws(() => unzip(corrupt), ZipError);
});
