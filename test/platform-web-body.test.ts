/**
 * A web request is charged to the namespace's invocation budget only once its whole body has arrived: sockets that
 * send half a POST body hold nothing, and are answered 408 once the body timeout has passed.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const { apiHost, webBase, platform } = await usePlatform({
  limits: { invocationsPerMinute: 5, concurrentActivations: 5 },
  webBodyTimeoutMs: 1500,
  manifest: fixtureManifest([fixtureAction('web-echo', { annotations: { 'web-export': true } })]),
});

/** Opens a socket, sends the headers and half the announced body, and resolves with what the controller answers. */
function halfPost(path: string): Promise<string> {
  const { port } = new URL(apiHost);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"half":`);
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

test('40 sockets sending half a body take none of the 5 invocations a minute; each is answered 408 after the body timeout', { timeout: 30_000 }, async () => {
  const path = new URL(`${webBase('fixtures')}/web-echo.json`).pathname;
  const halves = Array.from({ length: 40 }, () => halfPost(path));
  await new Promise((r) => setTimeout(r, 300));
  const whole = await fetch(`${webBase('fixtures')}/web-echo.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"whole":true}' });
  assert.equal(whole.status, 200, await whole.clone().text());
  const answers = await Promise.all(halves);
  for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.match(answers[0]!, /did not arrive within 1500 ms/);
  assert.equal(platform.store.all().filter((r) => r.name === 'web-echo').length, 1, 'only the whole request ran');
  console.log(`# 40 half bodies: ${answers.length} × 408; a whole request meanwhile: ${whole.status}`);
});
