import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { download, type DownloadLimits } from '../actions/lib/face/download';
import type { PhotoErrorCode } from '../actions/lib/face/errors';
import { demoBytes, rejectsWithPhotoError, serve, startPhotoHost } from './helpers/images';

const host = await startPhotoHost();
const limits: DownloadLimits = { hosts: ['127.0.0.1', 'pbs.twimg.com'], timeoutMs: 800, maxBytes: 1_000_000 };
const jpeg = demoBytes(1);

function refused(url: string, code: PhotoErrorCode, message: RegExp, options = limits): Promise<void> {
  return rejectsWithPhotoError(download(url, options), code, message);
}

test('an allowed image downloads byte for byte, through allowed redirects', async () => {
  const url = host.route('/ok.jpg', serve.bytes(jpeg));
  assert.ok((await download(url, limits)).equals(jpeg));
  host.route('/hop1', serve.redirect('/hop2', 301));
  host.route('/hop2', serve.redirect(`${host.origin}/hop3`, 307));
  host.route('/hop3', serve.redirect('/ok.jpg', 308));
  assert.ok((await download(host.url('/hop1'), limits)).equals(jpeg), 'three redirects are followed');
});

test('HTTP errors, empty bodies and redirect loops are refused with the reason', async () => {
  await refused(host.url('/missing.jpg'), 'http-status', /^HTTP 404 Not Found from 127\.0\.0\.1:\d+$/);
  host.route('/gone.jpg', serve.status(500));
  await refused(host.url('/gone.jpg'), 'http-status', /HTTP 500/);
  host.route('/empty.jpg', serve.bytes(Buffer.alloc(0)));
  await refused(host.url('/empty.jpg'), 'empty', /empty \(0 bytes\)/);
  host.route('/loop', serve.redirect('/loop'));
  await refused(host.url('/loop'), 'too-many-redirects', /more than 3 redirects/);
  host.route('/nowhere', (res) => {
    res.writeHead(302);
    res.end();
  });
  await refused(host.url('/nowhere'), 'http-status', /302 without a Location/);
});

test('hosts off the allowlist are never contacted, first URL or redirect', async () => {
  await refused('https://images.example/a.jpg', 'host-not-allowed', /host images\.example is not allowed/);
  host.route('/away', serve.redirect('https://images.example/a.jpg'));
  await refused(host.url('/away'), 'redirect-not-allowed', /redirected from 127\.0\.0\.1:\d+ to https:\/\/images\.example\/a\.jpg: host images\.example is not allowed/);
  host.route('/downgrade', serve.redirect('http://pbs.twimg.com/a.jpg'));
  await refused(host.url('/downgrade'), 'redirect-not-allowed', /plain http is only allowed to a loopback host/);
  host.route('/to-file', serve.redirect('file:///etc/passwd'));
  await refused(host.url('/to-file'), 'redirect-not-allowed', /only https URLs/);
  const served = host.route('/secret.jpg', serve.bytes(jpeg));
  await refused(served, 'host-not-allowed', /not allowed/, { ...limits, hosts: ['pbs.twimg.com'] });
  assert.equal(host.hits.get('/secret.jpg'), undefined, 'the refused URL was not requested');
});

test('the size cap holds whether or not the size is declared', async () => {
  const small = { ...limits, maxBytes: 10_000 };
  host.route('/big.jpg', serve.bytes(jpeg));
  await refused(host.url('/big.jpg'), 'too-large', /larger than the limit of 10000 bytes \(Content-Length \d+/, small);
  host.route('/endless.jpg', serve.endless());
  await refused(host.url('/endless.jpg'), 'too-large', /larger than the limit of 10000 bytes \(more than 10000 bytes sent/, small);
});

test('a download that never finishes times out, headers or body', async () => {
  host.route('/stall.jpg', serve.stall());
  await refused(host.url('/stall.jpg'), 'timeout', /did not finish within 300 ms/, { ...limits, timeoutMs: 300 });
  host.route('/silent.jpg', () => undefined);
  await refused(host.url('/silent.jpg'), 'timeout', /did not finish within 300 ms/, { ...limits, timeoutMs: 300 });
});

test('a refused connection is a network failure, not a crash', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  await refused(`http://127.0.0.1:${port}/a.jpg`, 'network', /download failed: fetch failed: .*ECONNREFUSED/);
});
