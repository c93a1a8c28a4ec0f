/** X photo URLs: the large variant is asked for, other hosts are left alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { largestPhotoVariant } from '../actions/lib/x/photos';

test('an X photo URL becomes its 2048 px "large" variant, keeping its format', () => {
  assert.equal(largestPhotoVariant('https://pbs.twimg.com/media/FooBar123.jpg'), 'https://pbs.twimg.com/media/FooBar123?format=jpg&name=large');
  assert.equal(largestPhotoVariant('https://pbs.twimg.com/media/FooBar123.png'), 'https://pbs.twimg.com/media/FooBar123?format=png&name=large');
  assert.equal(largestPhotoVariant('https://pbs.twimg.com/media/FooBar123?format=webp&name=small'), 'https://pbs.twimg.com/media/FooBar123?format=webp&name=large');
});

test('other URLs, and what is not a URL, are left as they are', () => {
  assert.equal(largestPhotoVariant('http://127.0.0.1:8080/media/1.jpg'), 'http://127.0.0.1:8080/media/1.jpg');
  assert.equal(largestPhotoVariant('https://pbs.twimg.com/profile_images/1/a_normal.jpg'), 'https://pbs.twimg.com/profile_images/1/a_normal.jpg');
  assert.equal(largestPhotoVariant('not a url'), 'not a url');
});
