import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHashtag } from '../actions/lib/hashtag-rule';
import { parseRegisterSearchRequest, WireError } from '../actions/lib/types';

/** The hashtag as register_search reads it from a request's body (a WireError is its 400: lib/web/request.ts). */
const parseHashtag = (hashtag: unknown): string => parseRegisterSearchRequest({ hashtag }).hashtag;

test('one hashtag, with or without #, comes back without it', () => {
  assert.equal(parseHashtag('#jsconfeu'), 'jsconfeu');
  assert.equal(parseHashtag('JSConf_EU2026'), 'JSConf_EU2026');
  assert.equal(parseHashtag('#日本'), '日本');
  assert.equal(parseHashtag('a'.repeat(100)), 'a'.repeat(100));
});

test('anything that is not one hashtag is refused, naming the problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['#a b', /^A hashtag is one word of letters, digits and underscores, like #jsconfeu\.$/],
    ['../x', /one word of letters, digits and underscores/],
    ['a'.repeat(500), /^A hashtag has at most 100 characters; this one has 500\.$/],
    ['a'.repeat(101), /at most 100 characters; this one has 101\./],
    ['', /^Type a hashtag to search/],
    ['#', /^Type a hashtag to search/],
    ['##tag', /one word of letters, digits and underscores/],
    ['tag;DROP', /one word of letters, digits and underscores/],
    ['#2026', /not only digits\.$/],
    [undefined, /^Send the hashtag to search/],
    [42, /^Send the hashtag to search/],
    [['#a'], /^Send the hashtag to search/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseHashtag(input), (error: unknown) => error instanceof WireError && message.test(error.message), String(input));
  }
});

test('the shared rule refuses what the server refuses, in the same words, written for people', () => {
  for (const input of ['#a b', 'a'.repeat(150), '', '#2026', '  #ok_tag  ']) {
    const checked = checkHashtag(input);
    let server: string | undefined;
    try {
      parseHashtag(input);
    } catch (error) {
      server = (error as Error).message;
    }
    if (checked.ok) assert.equal(server, undefined, input);
    else {
      assert.equal(server, checked.message, input);
      // Sentence case, a full stop, and no variable or field names.
      assert.match(checked.message, /^[A-Z].*\.$/, input);
      assert.doesNotMatch(checked.message, /FINDME_|^hashtag/, input);
    }
  }
  assert.deepEqual(checkHashtag('  #ok_tag  '), { ok: true, tag: 'ok_tag' });
});
