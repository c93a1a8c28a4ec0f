/**
 * What decides how compare_images spends an activation's time: the per-photo budget, which download failures
 * are worth trying again (real downloads from a photo host on 127.0.0.1), and bounded retries.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { download, type DownloadLimits } from '../actions/lib/face/download';
import { PhotoError } from '../actions/lib/face/errors';
import { decodeBudget, downloadBudget, timeToStart } from '../actions/lib/face/time-budget';
import { Deadline, retryWithin, type RetryOptions } from '../actions/lib/ow/deadline';
import { serve, startPhotoHost } from './helpers/images';

const host = await startPhotoHost();
const limits: DownloadLimits = { hosts: ['127.0.0.1'], timeoutMs: 500, maxBytes: 1_000_000 };

test('a photo starts only when the time left covers a download, a decode and a detection; each step gets what the next ones leave', () => {
  // Written out from the documented budget (1 s download, 1 s decode, 9 s detection reserve), not from the code.
  assert.equal(timeToStart(), 11_000);
  assert.equal(downloadBudget(10_999), 0);
  assert.equal(downloadBudget(11_000), 1000);
  assert.equal(downloadBudget(15_000), 5000);
  assert.equal(decodeBudget(9999), 0);
  assert.equal(decodeBudget(10_000), 1000);
  assert.equal(decodeBudget(12_000), 3000);
  // A profile picture may be decoded and detected twice: 1 s + 2 × (1 s + 9 s), and both fit in what is left.
  assert.equal(timeToStart(2), 21_000);
  assert.equal(downloadBudget(20_999, 2), 0);
  assert.equal(downloadBudget(21_000, 2), 1000);
  assert.equal(decodeBudget(23_000, 2), 2500);
  assert.equal(decodeBudget(19_999, 2), 0, 'under 1 s each after two reserves');
});

async function failure(url: string): Promise<PhotoError> {
  const error = await download(url, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof PhotoError, `${url}: expected a PhotoError, got ${String(error)}`);
  return error;
}

test('timeouts, broken connections, 408, 429 and 5xx may pass; 404, 410, 403 and hosts not allowed will not', async () => {
  for (const code of [408, 429, 500, 502, 503, 504]) {
    const error = await failure(host.route(`/status/${code}`, serve.status(code)));
    assert.deepEqual([error.code, error.status, error.transient], ['http-status', code, true], String(code));
  }
  for (const code of [403, 404, 410]) assert.equal((await failure(host.route(`/status/${code}`, serve.status(code)))).transient, false, String(code));
  assert.equal((await failure('https://images.example/a.jpg')).transient, false);
  assert.equal((await failure(host.route('/stall', serve.stall()))).transient, true, 'timeout');
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = await download(`http://127.0.0.1:${port}/a.jpg`, { ...limits, hosts: [`127.0.0.1:${port}`] }).catch((e: unknown) => e);
  assert.ok(refused instanceof PhotoError && refused.code === 'network' && refused.transient, String(refused));
});

test('a retryable failure is tried again up to the attempts, another one is thrown at once, and no wait passes the deadline', async () => {
  const far = new Deadline(Date.now() + 600_000);
  const options: RetryOptions = { attempts: 3, firstBackoffMs: 1, attemptMs: 0, retryable: (e) => e === 'blip' };
  let calls = 0;
  await assert.rejects(
    retryWithin(far, options, () => (++calls, Promise.reject('blip'))),
    (e: unknown) => e === 'blip',
  );
  assert.equal(calls, 3);
  calls = 0;
  assert.equal(await retryWithin(far, options, () => (++calls < 3 ? Promise.reject('blip') : Promise.resolve('ok'))), 'ok');
  calls = 0;
  await assert.rejects(retryWithin(far, options, () => (++calls, Promise.reject('lasting'))));
  assert.equal(calls, 1, 'not retryable');
  calls = 0;
  await assert.rejects(retryWithin(far, { ...options, attemptMs: 700_000 }, () => (++calls, Promise.reject('blip'))));
  assert.equal(calls, 1, 'no room before the deadline for another attempt');
});
