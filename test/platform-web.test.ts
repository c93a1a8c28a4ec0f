/**
 * Web actions over raw HTTP, against OpenWhisk's docs/webactions.md and the behaviour its WebActionsApiTests pin
 * down: the request context, parameter merging, extensions, `{statusCode, headers, body}`, error projection,
 * protected parameters, raw HTTP, CORS and OPTIONS, authentication annotations.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { basicAuth, fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const web = { 'web-export': true };
const { apiHost, apiKey, webBase } = await usePlatform({
  manifest: fixtureManifest(
    [
      fixtureAction('web-echo', { annotations: web, parameters: { fromAction: 'action', both: 'action' } }),
      fixtureAction('http', { annotations: web }),
      fixtureAction('guarded', { handlerFile: 'test/fixtures/actions/web-echo.js', annotations: { ...web, final: true }, parameters: { secret: 'kept', empty: '', unset: null } }),
      fixtureAction('raw', { handlerFile: 'test/fixtures/actions/web-echo.js', annotations: { ...web, final: true, 'raw-http': true }, parameters: { secret: 'kept' } }),
      fixtureAction('custom-options', { annotations: { ...web, 'web-custom-options': true } }),
      fixtureAction('secret-header', { handlerFile: 'test/fixtures/actions/web-echo.js', annotations: { ...web, 'require-whisk-auth': 'my-secret' } }),
      fixtureAction('whisk-auth', { handlerFile: 'test/fixtures/actions/web-echo.js', annotations: { ...web, 'require-whisk-auth': true } }),
      fixtureAction('string-export', { handlerFile: 'test/fixtures/actions/web-echo.js', annotations: { 'web-export': 'true' } }),
      fixtureAction('echo'),
      { ...fixtureAction('hello', { handlerFile: 'test/fixtures/actions/web-echo.js', annotations: web }), name: 'hello' },
    ],
    { packages: { fixtures: { fromPackage: 'package', both: 'package' } } },
  ),
});
const base = webBase('fixtures');

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(/^https?:\/\//.test(path) ? path : `${base}/${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({ method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** What web-echo received. */
async function received(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const answer = await call(path, init);
  assert.equal(answer.status, 200, answer.text);
  return answer.json().response as Record<string, unknown>;
}

function assertError(answer: Answer, status: number, message: string): void {
  assert.equal(answer.status, status, answer.text);
  const body = answer.json();
  assert.equal(body.error, message);
  assert.match(String(body.code), /^\w+$/);
  assert.equal(answer.text.split('\n').length, 4, 'web action errors are pretty-printed as {error, code}');
}

test('the docs example: .json with the request context, a query, form data, a JSON body and a text body', async () => {
  const get = await received('web-echo.json', { headers: { 'x-custom': 'Value' } });
  assert.equal(get.__ow_method, 'get');
  assert.equal(get.__ow_path, '');
  const headers = get.__ow_headers as Record<string, string>;
  assert.equal(headers['x-custom'], 'Value', 'custom headers arrive, names lower-cased');
  assert.match(headers.host ?? '', /^127\.0\.0\.1:\d+$/);
  assert.equal('__ow_body' in get || '__ow_query' in get, false);
  assert.equal((await received('web-echo.json?name=Jane')).name, 'Jane');
  assert.equal((await received('web-echo.json', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Jane' })).name, 'Jane');
  const json = await received('web-echo.json', postJson({ name: 'Jane' }));
  assert.equal(json.name, 'Jane');
  assert.equal(json.__ow_method, 'post');
  assert.equal((json.__ow_headers as Record<string, string>)['content-type'], 'application/json');
  const text = await received('web-echo.json', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'Jane' });
  assert.equal(text.__ow_body, 'Jane');
  assert.equal(text.name, undefined);
});

test('parameters merge package < action < query < body', async () => {
  const merged = await received('web-echo.json?both=query&q=1', postJson({ both: 'body', nested: { a: [1, 2] } }));
  assert.equal(merged.fromPackage, 'package');
  assert.equal(merged.fromAction, 'action');
  assert.equal(merged.q, '1');
  assert.equal(merged.both, 'body');
  assert.deepEqual(merged.nested, { a: [1, 2] });
  assert.equal((await received('web-echo.json?both=query')).both, 'query');
  assert.equal((await received('web-echo.json')).both, 'action');
});

test('__ow_path is what follows the extension; no extension means .http; `default` is the package of unpackaged actions', async () => {
  assert.equal((await received('web-echo.json/content/x')).__ow_path, '/content/x');
  const http = await call('http/some/path');
  assert.equal(http.status, 200);
  assert.equal(http.headers.get('x-seen-method'), 'get');
  assert.equal(((http.json().params as Record<string, unknown>).__ow_path), '/some/path');
  assert.equal((await received(`${webBase('default')}/hello.json`)).__ow_method, 'get');
});

test('a body that is not a JSON object or form arrives whole in __ow_body: JSON values as they are, binary as base64', async () => {
  for (const value of [[1, 'str str', false], 'this is a string', true, 99, null]) {
    assert.deepEqual((await received('web-echo.json', postJson(value))).__ow_body, value, JSON.stringify(value));
  }
  assert.equal('__ow_body' in (await received('web-echo.json', postJson({}))), false, 'an empty object adds nothing');
  const png = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  assert.equal((await received('web-echo.json', { method: 'POST', headers: { 'content-type': 'image/png' }, body: png })).__ow_body, png.toString('base64'));
  assert.equal((await received('web-echo.json', { method: 'POST', body: new Uint8Array(png) })).__ow_body, png.toString('base64'), 'no content type: octet-stream');
  const malformed = await call('web-echo.json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
  assert.equal(malformed.status, 400);
});

test('a raw-http action gets __ow_query and __ow_body, may see final names in them, and JSON arrives base64', async () => {
  const raw = await received('raw.json?name=Jane&secret=mine', postJson({ name: 'Jane' }));
  assert.equal(raw.__ow_query, 'name=Jane&secret=mine');
  assert.equal(raw.__ow_body, Buffer.from('{"name":"Jane"}').toString('base64'));
  assert.equal(raw.name, undefined);
  assert.equal(raw.secret, 'kept');
  const empty = await received('raw.json');
  assert.equal(empty.__ow_query, '');
  assert.equal(empty.__ow_body, '');
});

test('a request may not set a final parameter with a value, nor any __ow_ field: 400', async () => {
  const refused = ['guarded.json?secret=mine', 'guarded.json?empty=x', 'web-echo.json?__ow_method=put', 'web-echo.json?__ow_user=admin', 'web-echo.json?__ow_query=a'];
  for (const path of refused) assertError(await call(path), 400, 'Request defines parameters that are not allowed (e.g., reserved properties).');
  assertError(await call('guarded.json', postJson({ secret: 'mine' })), 400, 'Request defines parameters that are not allowed (e.g., reserved properties).');
  assertError(await call('web-echo.json', postJson({ __ow_headers: {} })), 400, 'Request defines parameters that are not allowed (e.g., reserved properties).');
  const allowed = await received('guarded.json?unset=given&other=1');
  assert.equal(allowed.unset, 'given', 'a null parameter has no value to protect');
  assert.equal(allowed.secret, 'kept');
});

test('.http renders {statusCode, headers, body} as the docs describe', async () => {
  const respond = (result: unknown, path = 'http.http') => call(path, postJson({ respond: result }));
  const redirect = await respond({ headers: { location: 'http://openwhisk.org' }, statusCode: 302 }, 'http');
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), 'http://openwhisk.org');
  const cookies = await respond({ headers: { 'Set-Cookie': ['UserID=Jane; Max-Age=3600; Version=', 'SessionID=asdfgh123456; Path = /'], 'Content-Type': 'text/html' }, statusCode: 200, body: '<html><body><h3>hello</h3></body></html>' });
  assert.deepEqual(cookies.headers.getSetCookie(), ['UserID=Jane; Max-Age=3600; Version=', 'SessionID=asdfgh123456; Path = /']);
  assert.equal(cookies.headers.get('content-type'), 'text/html; charset=UTF-8');
  assert.equal(cookies.text, '<html><body><h3>hello</h3></body></html>');
  const png = Buffer.from([137, 80, 78, 71]);
  const image = await fetch(`${base}/http.http`, postJson({ respond: { headers: { 'Content-Type': 'image/png' }, statusCode: 200, body: png.toString('base64') } }));
  assert.equal(image.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await image.arrayBuffer()), png, 'a base64 body of a binary type is decoded');
  const json = await respond({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: { a: [1, 2] } });
  assert.equal(json.headers.get('content-type'), 'application/json');
  assert.deepEqual(json.json(), { a: [1, 2] });
  const defaults = await respond({ body: { a: 1 } });
  assert.equal(defaults.status, 200);
  assert.equal(defaults.headers.get('content-type'), 'application/json', 'a non-string body defaults to application/json');
  const html = await respond({ body: 'plain words' });
  assert.equal(html.headers.get('content-type'), 'text/html; charset=UTF-8', 'a string body defaults to text/html');
  const textAsJson = await respond({ headers: { 'content-type': 'application/json' }, body: 'hello world' });
  assert.equal(textAsJson.text, 'hello world');
  assert.equal(textAsJson.headers.get('content-type'), 'application/json');
  const patch = await respond({ headers: { 'content-type': 'application/json-patch+json' }, body: Buffer.from('{"field":"value"}').toString('base64') });
  assert.deepEqual(patch.json(), { field: 'value' }, 'a base64 body of a +json type is decoded (legacy)');
  assert.equal((await respond({ statusCode: 444 })).status, 444, 'non-standard status codes pass');
  assert.equal((await respond({ statusCode: '201', body: 'made' })).status, 201, 'a status code may be a string');
});

test('.http without a body is empty: 204 unless a status is given, and its content type is dropped', async () => {
  for (const result of [{}, { body: '' }, { body: null }]) {
    const answer = await call('http.http', postJson({ respond: result }));
    assert.equal(answer.status, 204, JSON.stringify(result));
    assert.equal(answer.text, '');
    assert.equal(answer.headers.get('content-type'), null);
  }
  const created = await call('http.http', postJson({ respond: { statusCode: 201, headers: { 'Set-Cookie': 'a=b', 'content-type': 'application/json' } } }));
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('set-cookie'), 'a=b');
  assert.equal(created.headers.get('content-type'), null);
});

test('.http refuses results it cannot render, with OpenWhisk messages', async () => {
  const refuse = async (result: unknown, status: number, message: string) => assertError(await call('http.http', postJson({ respond: result })), status, message);
  await refuse([1, 2], 400, "Response is not valid 'message/http'.");
  await refuse({ statusCode: 'soon' }, 400, "Response is not valid 'message/http'.");
  await refuse({ statusCode: 99 }, 400, "Response is not valid 'message/http'.");
  await refuse({ headers: ['x'] }, 400, "Response is not valid 'message/http'.");
  await refuse({ headers: { 'x-nested': { a: 1 } } }, 400, "Response is not valid 'message/http'.");
  await refuse({ headers: { 'content-type': 'text/html' }, body: { a: 1 } }, 400, 'Response type in header did not match generated content type.');
  await refuse({ headers: { 'content-type': 'image/png' }, body: 'not base64!' }, 400, 'Response type in header did not match generated content type.');
  await refuse({ headers: { 'content-type': 'xyzbar' }, body: 'hello world' }, 400, 'Response did not specify a known content-type.');
});

test('.json, .html, .svg and .text project the result as the docs say', async () => {
  const respond = (extension: string, result: unknown) => call(`http${extension}`, postJson({ respond: result }));
  const json = await respond('.json', { foobar: 'foobar' });
  assert.equal(json.text, '{\n  "foobar": "foobar"\n}', '.json is pretty-printed');
  assert.equal(json.headers.get('content-type'), 'application/json');
  assertError(await call('http.json', postJson({ fail: 'a projected string' })), 400, "Response is not valid 'application/json'.");
  const html = await respond('.html', { html: '<html>hi</html>' });
  assert.equal(html.text, '<html>hi</html>');
  assert.equal(html.headers.get('content-type'), 'text/html; charset=UTF-8');
  assert.equal((await respond('.html', { body: '<p>body wins</p>', html: 'no' })).text, '<p>body wins</p>');
  assertError(await respond('.html', { html: 42 }), 400, "Response is not valid 'text/html'.");
  const svg = await respond('.svg', { svg: '<svg><circle cx="3" cy="3" r="3"/></svg>' });
  assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  assert.equal(svg.text, '<svg><circle cx="3" cy="3" r="3"/></svg>');
  const texts: Array<[unknown, string]> = [[{ a: 'A' }, '{\n  "a": "A"\n}'], [['a'], '["a"]'], ['a', 'a'], [true, 'true'], [1, '1'], [null, 'null']];
  for (const [value, expected] of texts) {
    const text = await respond('.text', { body: value });
    assert.equal(text.text, expected, JSON.stringify(value));
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=UTF-8');
  }
  assert.equal((await respond('.text', { text: 'default text' })).text, 'default text');
  assertError(await respond('.text', { other: 1 }), 404, 'Response does not include requested property.');
});

test('errors: an application error projects `error` through the extension; a developer error is 400', async () => {
  const teapot = await call('http.http', postJson({ fail: { statusCode: 418, headers: { 'content-type': 'application/json' }, body: { teapot: true } } }));
  assert.equal(teapot.status, 418);
  assert.deepEqual(teapot.json(), { teapot: true });
  assert.match(teapot.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/);
  const asJson = await call('http.json', postJson({ fail: { reason: 'bad hashtag' } }));
  assert.equal(asJson.status, 200, 'the extension decides the status: .json of the projected error');
  assert.deepEqual(asJson.json(), { reason: 'bad hashtag' });
  assertError(await call('http.http', postJson({ fail: 'plain failure' })), 400, "Response is not valid 'message/http'.");
  assert.equal((await call('http.text', postJson({ fail: 'plain failure' }))).text, 'plain failure');
  const thrown = await call('http.http', postJson({ throw: true }));
  assertError(thrown, 400, 'There was an error processing your request.');
  assert.match(thrown.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/, 'errors of an activation carry its id too');
});

test('CORS: OPTIONS answered with the default headers, every response carries them; web-custom-options hands OPTIONS to the action', async () => {
  const preflight = await call('web-echo.json', { method: 'OPTIONS', headers: { 'access-control-request-headers': 'authorization, content-type' } });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.text, '');
  assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH');
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'authorization, content-type', 'the requested headers are echoed');
  assert.equal(preflight.headers.get('x-openwhisk-activation-id'), null, 'no activation for a default OPTIONS');
  for (const answer of [await call('web-echo.json'), await call('guarded.json?secret=x')]) {
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    assert.equal(answer.headers.get('access-control-allow-headers'), 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent');
  }
  const custom = await call('custom-options.http', { method: 'OPTIONS' });
  assert.equal(custom.status, 200);
  assert.equal(custom.headers.get('access-control-allow-origin'), 'example.com');
  assert.equal(custom.headers.get('access-control-allow-methods'), 'OPTIONS, GET');
  assert.match(custom.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/);
  const get = await call('custom-options.http');
  assert.equal(get.text, 'not options');
  assert.equal(get.headers.get('access-control-allow-origin'), null, 'no default CORS headers with web-custom-options');
});

test('every response to an activation carries x-openwhisk-activation-id; HEAD answers headers only', async () => {
  for (const path of ['web-echo.json', 'http.http', 'http.text']) {
    assert.match((await call(path)).headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/, path);
  }
  const head = await call('http.http', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('x-seen-method'), 'head');
  assert.equal(head.text, '');
});

test('not found: unknown actions, actions not web-exported (a string "true" does not export), other namespaces', async () => {
  const paths = ['echo.json', 'nope.json', 'string-export.json', 'web-echo.xml', `${apiHost}/api/v1/web/other/fixtures/web-echo.json`, `${apiHost}/api/v1/web/_/fixtures/web-echo.json`, `${apiHost}/api/v1/web/guest/fixtures`, `${apiHost}/api/v1/web/guest/nopkg/web-echo.json`];
  for (const path of paths) assertError(await call(path), 404, 'The requested resource does not exist.');
});

test('require-whisk-auth: a secret in X-Require-Whisk-Auth, or `true` for the API key (then __ow_user is set)', async () => {
  assertError(await call('secret-header.json'), 401, 'The resource requires authentication, which was not supplied with the request');
  assertError(await call('secret-header.json', { headers: { 'x-require-whisk-auth': 'wrong' } }), 401, 'The resource requires authentication, which was not supplied with the request');
  assert.equal((await received('secret-header.json', { headers: { 'x-require-whisk-auth': 'my-secret' } })).__ow_method, 'get');
  assertError(await call('whisk-auth.json'), 401, 'The resource requires authentication, which was not supplied with the request');
  assert.equal((await received('whisk-auth.json', { headers: { authorization: basicAuth(apiKey) } })).__ow_user, 'guest');
  const bearer = await received('web-echo.json', { headers: { authorization: 'Bearer a.b.c' } });
  assert.equal((bearer.__ow_headers as Record<string, string>).authorization, 'Bearer a.b.c', 'other credentials pass through to the action');
  assert.equal(bearer.__ow_user, undefined);
});

test('a body past 1 MB is 413; a method web actions do not take is 405', async () => {
  const big = { blob: 'x'.repeat(1024 * 1024) };
  assertError(await call('web-echo.json', postJson(big)), 413, `Request larger than allowed: ${JSON.stringify(big).length} > 1048576 bytes.`);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${base}/web-echo.json`, { method: 'PROPFIND' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 405);
});

test('a web action still running when the controller stops waiting answers 202 "Response not yet ready."', async () => {
  const patient = await usePlatform({ manifest: fixtureManifest([fixtureAction('slow', { annotations: web })]), maxBlockingWaitMs: 200 });
  const answer = await call(`${patient.webBase('fixtures')}/slow.json?ms=1500`);
  assertError(answer, 202, 'Response not yet ready.');
  assert.match(answer.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/);
});
