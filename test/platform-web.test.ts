import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const { webBase, apiHost } = await usePlatform({
  manifest: fixtureManifest(
    [
      fixtureAction('http', { annotations: { 'web-export': true, final: true }, parameters: { secret: 'kept' } }),
      fixtureAction('web-error', { annotations: { 'web-export': true, final: true } }),
      fixtureAction('echo'),
    ],
    { packages: { fixtures: { REDIS_URL: 'redis://package', EMPTY: '' } } },
  ),
});
const base = webBase('fixtures');

test('.json returns the result as JSON with the request context, query and JSON body merged (body wins)', async () => {
  const response = await fetch(`${base}/http.json/extra/path?name=query&q=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-custom': 'Yes' },
    body: JSON.stringify({ name: 'body', nested: { a: 1 } }),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/);
  const result = (await response.json()) as { body: { params: Record<string, unknown> } };
  const params = result.body.params;
  assert.equal(params.__ow_method, 'post');
  assert.equal(params.__ow_path, '/extra/path');
  assert.equal((params.__ow_headers as Record<string, string>)['x-custom'], 'Yes');
  assert.equal(params.name, 'body');
  assert.equal(params.q, '1');
  assert.deepEqual(params.nested, { a: 1 });
  assert.equal(params.secret, 'kept');
  assert.equal(params.REDIS_URL, 'redis://package');
  assert.equal(params.__ow_body, undefined);
});

test('.http (and no extension) renders {statusCode, headers, body}', async () => {
  const respond = { statusCode: 201, headers: { 'x-made': 'here', 'content-type': 'text/plain' }, body: 'plain text' };
  for (const path of ['http.http', 'http']) {
    const response = await fetch(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ respond }) });
    assert.equal(response.status, 201, path);
    assert.equal(response.headers.get('x-made'), 'here');
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await response.text(), 'plain text');
  }
  const json = await fetch(`${base}/http.http?x=1`);
  assert.equal(json.status, 200);
  assert.equal(json.headers.get('x-seen-method'), 'get');
  assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
  const binary = await fetch(`${base}/http.http`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ respond: { headers: { 'content-type': 'image/png' }, body: Buffer.from([137, 80, 78, 71]).toString('base64') } }),
  });
  assert.deepEqual([...new Uint8Array(await binary.arrayBuffer())], [137, 80, 78, 71], 'base64 bodies of binary types are decoded');
  const empty = await fetch(`${base}/http.http`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ respond: { headers: {} } }) });
  assert.equal(empty.status, 204);
});

test('a text body arrives as __ow_body; form data is merged', async () => {
  const text = await fetch(`${base}/http.json`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'Jane' });
  assert.equal(((await text.json()) as { body: { params: { __ow_body: string } } }).body.params.__ow_body, 'Jane');
  const form = await fetch(`${base}/http.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Jane' });
  assert.equal(((await form.json()) as { body: { params: { name: string } } }).body.params.name, 'Jane');
});

test('overriding a final parameter or any __ow_ field is a 400', async () => {
  for (const url of [`${base}/http.json?secret=mine`, `${base}/http.json?REDIS_URL=redis://evil`, `${base}/http.json?EMPTY=x`, `${base}/http.json?__ow_method=put`]) {
    const response = await fetch(url);
    assert.equal(response.status, 400, url);
    assert.equal(((await response.json()) as { error: string }).error, 'Request defines parameters that are not allowed (e.g., reserved properties).');
  }
  const inBody = await fetch(`${base}/http.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ __ow_headers: {} }) });
  assert.equal(inBody.status, 400);
});

test('an {error} result is projected: .http renders the error as the response', async () => {
  const teapot = await fetch(`${base}/web-error.http`);
  assert.equal(teapot.status, 418);
  assert.deepEqual(await teapot.json(), { teapot: true });
  const plain = await fetch(`${base}/web-error.http?kind=string`);
  assert.equal(plain.status, 400);
  assert.equal(((await plain.json()) as { error: string }).error, "Response is not valid 'message/http'.");
});

test('CORS: OPTIONS is answered with the default headers, and every response carries them', async () => {
  const preflight = await fetch(`${base}/http.json`, { method: 'OPTIONS', headers: { 'access-control-request-headers': 'authorization, content-type' } });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH');
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'authorization, content-type');
  const get = await fetch(`${base}/http.json`);
  assert.equal(get.headers.get('access-control-allow-origin'), '*');
  assert.equal(get.headers.get('access-control-allow-headers'), 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent');
});

test('actions that are not web-exported, and unknown ones, are 404 without authentication', async () => {
  for (const url of [`${base}/echo.json`, `${base}/nope.json`, `${apiHost}/api/v1/web/other/fixtures/http.json`]) {
    const response = await fetch(url);
    assert.equal(response.status, 404, url);
    assert.equal(((await response.json()) as { error: string }).error, 'The requested resource does not exist.');
  }
});
