import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../actions/lib/errors';
import { parseHashtag } from '../actions/lib/hashtag';

test('one hashtag, with or without #, comes back without it', () => {
  assert.equal(parseHashtag('#jsconfeu'), 'jsconfeu');
  assert.equal(parseHashtag('JSConf_EU2026'), 'JSConf_EU2026');
  assert.equal(parseHashtag('#日本'), '日本');
  assert.equal(parseHashtag('a'.repeat(100)), 'a'.repeat(100));
});

test('anything that is not one hashtag is a 400 naming the problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['#a b', /letters, digits and underscores/],
    ['../x', /letters, digits and underscores/],
    ['a'.repeat(500), /longer than 100/],
    ['a'.repeat(101), /longer than 100/],
    ['', /empty/],
    ['#', /empty/],
    ['##tag', /letters, digits and underscores/],
    ['tag;DROP', /letters, digits and underscores/],
    ['#2026', /not only digits/],
    [undefined, /hashtag is required/],
    [42, /hashtag is required/],
    [['#a'], /hashtag is required/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseHashtag(input), (error: unknown) => error instanceof HttpError && error.status === 400 && message.test(error.message), String(input));
  }
});
