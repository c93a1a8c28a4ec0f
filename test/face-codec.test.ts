import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeDescriptor, encodeDescriptor } from '../actions/lib/face/descriptor-codec';
import { closestFace, euclideanDistance } from '../actions/lib/face/distance';
import { DescriptorFormatError, PhotoError, ProfileError } from '../actions/lib/face/errors';
import { checkImageUrl } from '../actions/lib/face/host-policy';
import { largestProfileVariant, pickProfileFace } from '../actions/lib/face/profile';

/** Floats from raw bit patterns, so that NaN payloads are exactly the bits given. */
function fromBits(...bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

function bitsOf(values: Float32Array): number[] {
  return [...new Uint32Array(values.buffer, values.byteOffset, values.length)];
}

test('descriptor hex round-trips every bit: random floats, NaN payloads, ±0, subnormals, ±Infinity', () => {
  const special = fromBits(
    0x7fc00000, // quiet NaN
    0x7fc00001, // quiet NaN with a payload
    0xffc12345, // negative NaN with a payload
    0x7f800001, // signalling NaN
    0x00000000, // +0
    0x80000000, // -0
    0x00000001, // smallest subnormal
    0x807fffff, // largest negative subnormal
    0x7f800000, // +Infinity
    0xff800000, // -Infinity
    0x7f7fffff, // largest float
  );
  const random = new Float32Array(new Uint8Array(randomBytes(4 * 4096)).buffer);
  for (const values of [special, random, new Float32Array(0)]) {
    const hex = encodeDescriptor(values);
    assert.equal(hex.length, values.length * 8);
    assert.match(hex, /^[0-9a-f]*$/);
    assert.deepEqual(bitsOf(decodeDescriptor(hex)), bitsOf(values));
  }
});

test('descriptor hex is little-endian and works on a view into a larger buffer', () => {
  assert.equal(encodeDescriptor(new Float32Array([1])), '0000803f');
  const backing = new Float32Array([9, 1, -2, 9]);
  const view = backing.subarray(1, 3);
  assert.deepEqual([...decodeDescriptor(encodeDescriptor(view))], [1, -2]);
});

test('malformed descriptor hex is a clear error, never a partial array', () => {
  const cases: Array<[string, RegExp]> = [
    ['0000803', /8 characters per float/],
    ['0000803g', /8 characters per float/],
    ['0000803F', /lower-case hex/],
    ['0000803f 0000803f', /8 characters per float/],
  ];
  for (const [hex, message] of cases) {
    assert.throws(() => decodeDescriptor(hex), (error: unknown) => error instanceof DescriptorFormatError && message.test(error.message), hex);
  }
  assert.throws(() => decodeDescriptor('0000803f', 128), /128 floats \(1024 hex characters\), got 8 characters/);
  assert.throws(() => decodeDescriptor(42 as unknown as string), /a hex string, got number/);
});

test('Euclidean distance, and the closest face', () => {
  const a = new Float32Array([0, 0, 0]);
  const b = new Float32Array([3, 4, 0]);
  assert.equal(euclideanDistance(a, b), 5);
  assert.equal(euclideanDistance(b, b), 0);
  assert.throws(() => euclideanDistance(a, new Float32Array(2)), /differ in length: 3 and 2/);
  const faces = [{ descriptor: b, id: 'far' }, { descriptor: new Float32Array([1, 0, 0]), id: 'near' }];
  assert.deepEqual(closestFace(a, faces), { face: faces[1], distance: 1 });
  assert.equal(closestFace(a, []), null);
});

test("X profile pictures are fetched in their largest variant; other URLs stay as they are", () => {
  const base = 'https://pbs.twimg.com/profile_images/1234/AbC_d';
  assert.equal(largestProfileVariant(`${base}_normal.jpg`), `${base}_400x400.jpg`);
  assert.equal(largestProfileVariant(`${base}_bigger.png`), `${base}_400x400.png`);
  assert.equal(largestProfileVariant(`${base}_mini.jpeg`), `${base}_400x400.jpeg`);
  assert.equal(largestProfileVariant(`${base}_normal`), `${base}_400x400`);
  assert.equal(largestProfileVariant(`${base}_400x400.jpg`), `${base}_400x400.jpg`);
  for (const unchanged of [
    'https://pbs.twimg.com/media/Fx_normal.jpg',
    'https://example.com/profile_images/1/a_normal.jpg',
    'https://s.gravatar.com/avatar/abc?s=480&r=pg',
    'not a url',
  ]) {
    assert.equal(largestProfileVariant(unchanged), unchanged);
  }
});

test('the profile face is the only face, or one clearly larger than the next', () => {
  const face = (side: number) => ({ box: { x: 0, y: 0, width: side, height: side } });
  const big = face(100);
  assert.equal(pickProfileFace([big]), big);
  assert.equal(pickProfileFace([face(50), big, face(20)]), big, 'the largest, when it is 4× the next');
  assert.throws(() => pickProfileFace([]), (e: unknown) => e instanceof ProfileError && e.code === 'no-face' && e.message === 'profile picture: no face found');
  assert.throws(
    () => pickProfileFace([face(90), big]),
    (e: unknown) => e instanceof ProfileError && e.code === 'several-faces' && /several faces of similar size \(2 found\)/.test(e.message),
  );
});

test('image URLs: https to listed hosts; plain http only to a listed loopback host', () => {
  const hosts = ['pbs.twimg.com', '127.0.0.1', 'localhost:8080', 'media.example'];
  assert.equal(checkImageUrl('https://pbs.twimg.com/media/a.jpg', hosts).host, 'pbs.twimg.com');
  assert.equal(checkImageUrl('http://127.0.0.1:4321/a.jpg', hosts).port, '4321');
  assert.equal(checkImageUrl('http://localhost:8080/a.jpg', hosts).hostname, 'localhost');
  const refused: Array<[string, PhotoError['code'], RegExp]> = [
    ['https://evil.example/a.jpg', 'host-not-allowed', /host evil\.example is not allowed \(allowed: pbs\.twimg\.com, 127\.0\.0\.1/],
    ['https://pbs.twimg.com.evil.example/a.jpg', 'host-not-allowed', /not allowed/],
    ['http://media.example/a.jpg', 'host-not-allowed', /plain http is only allowed to a loopback host/],
    ['http://localhost:9999/a.jpg', 'host-not-allowed', /host localhost:9999 is not allowed/],
    ['ftp://pbs.twimg.com/a.jpg', 'bad-url', /only https URLs/],
    ['file:///etc/passwd', 'bad-url', /only https URLs/],
    ['https://user:secret@pbs.twimg.com/a.jpg', 'bad-url', /credentials/],
    ['pbs.twimg.com/a.jpg', 'bad-url', /is not a URL/],
  ];
  for (const [url, code, message] of refused) {
    assert.throws(() => checkImageUrl(url, hosts), (e: unknown) => e instanceof PhotoError && e.code === code && message.test(e.message), url);
  }
  assert.throws(
    () => checkImageUrl('https://evil.example/a.jpg', hosts, new URL('https://pbs.twimg.com/a.jpg')),
    (e: unknown) => e instanceof PhotoError && e.code === 'redirect-not-allowed' && /redirected from pbs\.twimg\.com to https:\/\/evil\.example/.test(e.message),
  );
  assert.throws(() => checkImageUrl('https://user:secret@pbs.twimg.com/a.jpg', hosts), (e: unknown) => e instanceof Error && !e.message.includes('secret'));
});
