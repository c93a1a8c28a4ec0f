/**
 * Failure reasons in plain words: real downloads fail the real ways (a TLS handshake against a plain HTTP
 * server, a refused port, a socket destroyed mid-answer, HTTP errors, a stall, a cut-off file) and the reason a
 * person reads names what happened without OpenSSL's, the errno's or libvips' text; the PhotoError keeps that
 * detail for the activation log.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { decodeImage } from '../actions/lib/face/decode';
import { download, type DownloadLimits } from '../actions/lib/face/download';
import { PhotoError } from '../actions/lib/face/errors';
import { reasonForPeople } from '../actions/lib/face/reasons';
import { freePort } from '../local/free-port';
import { serve, startPhotoHost, truncatedJpeg } from './helpers/images';

const host = await startPhotoHost();
const limits: DownloadLimits = { hosts: ['127.0.0.1'], timeoutMs: 800, maxBytes: 1_000_000 };
// Accepts the connection, then destroys the socket: ECONNRESET / "other side closed" for the client.
const resetter = createServer((req) => req.socket.destroy());
await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
after(() => resetter.close());
const resetPort = (resetter.address() as AddressInfo).port;

async function failure(promise: Promise<unknown>): Promise<PhotoError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PhotoError, `a PhotoError, got ${String(error)}`);
    return error;
  }
  throw new Error('expected a failure');
}

/** No library's words in a reason a person reads. */
const TECHNICAL = /ssl|deps\/|errno|fetch failed|vips|127\.0\.0\.1/i;
/** An errno (ECONNRESET) or a port. */
const CODES = /\bE[A-Z]{3,}\b|:\d{2,5}\b/;

test('network, TLS, HTTP and file failures read in plain words; the technical detail stays on the error', async () => {
  const origin = new URL(host.url('/')).host;
  const refusedPort = await freePort();
  // Thunks: each failure is started only when it is awaited.
  const cases: Array<[string, () => Promise<unknown>, RegExp, RegExp]> = [
    ['TLS to a plain HTTP server', () => download(`https://${origin}/x.jpg`, limits), /^a secure connection to the photo's site could not be made$/, /ssl|wrong version number|tls/i],
    ['a refused port', () => download(`http://127.0.0.1:${refusedPort}/x.jpg`, limits), /^the photo's site refused the connection$/, /ECONNREFUSED/],
    ['a socket destroyed mid-answer', () => download(`http://127.0.0.1:${resetPort}/x.jpg`, limits), /^the connection to the photo's site broke off$/, /ECONNRESET|other side closed|socket hang up/i],
    ['404', () => download(host.url('/missing.jpg'), limits), /^the photo is no longer on its site \(HTTP 404\)$/, /^HTTP 404 Not Found from 127\.0\.0\.1:\d+$/],
    ['403', () => download(host.route('/private.jpg', serve.status(403)), limits), /^the photo's site would not share it \(HTTP 403\)$/, /HTTP 403/],
    ['503', () => download(host.route('/busy.jpg', serve.status(503)), limits), /^the photo's site had an error \(HTTP 503\)$/, /HTTP 503/],
    ['a stall', () => download(host.route('/stall.jpg', serve.stall()), limits), /^the photo took too long to download$/, /within 800 ms/],
    ['an empty body', () => download(host.route('/empty.jpg', serve.bytes(Buffer.alloc(0))), limits), /^the photo file is empty$/, /0 bytes/],
    ['a cut-off JPEG', () => decodeImage(truncatedJpeg(), { maxPixels: 40_000_000, maxSide: 640 }), /^the photo file is cut short$/, /truncated/],
  ];
  for (const [what, start, plain, detail] of cases) {
    const error = await failure(start());
    const reason = reasonForPeople(error);
    assert.match(reason, plain, `${what}: ${reason} (from ${error.message})`);
    assert.doesNotMatch(reason, TECHNICAL, `${what}: no technical text in "${reason}"`);
    assert.doesNotMatch(reason, CODES, `${what}: no error code or port in "${reason}"`);
    assert.match(error.message, detail, `${what}: the log keeps the detail (${error.message})`);
  }
});
