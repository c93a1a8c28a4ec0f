/** X photo URLs (the large variant is asked for, other hosts are left alone), malformed items, and what makes two images one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageIdentity, SeenPosts } from '../actions/lib/search/seen';
import { remoteText } from '../actions/lib/search/remote-text';
import { sourceNote } from '../actions/lib/search/run';
import { largestPhotoVariant, PhotoDeduper, photosOfPage, type SearchPage } from '../actions/lib/x/photos';

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

test('a malformed media item or post is one skipped item, counted for the note; the rest of the page stands', () => {
  const page = {
    data: [
      { id: '1', text: 'ok', author_id: 'u1', attachments: { media_keys: ['3_a', '3_b', '3_c'] } },
      { id: 2, text: 'id is a number', attachments: { media_keys: ['3_d'] } },
      { id: '3', text: 'no attachments list', attachments: { media_keys: 'nope' } },
    ],
    includes: {
      media: [
        { media_key: '3_a', type: 'photo', url: 'https://pbs.twimg.com/media/A.jpg' },
        { media_key: '3_b', type: 'photo', url: 42 },
        { media_key: '3_c', type: 'photo' },
        { media_key: '3_d', type: 'photo', url: 'https://pbs.twimg.com/media/D.jpg' },
        null,
      ],
      users: [{ id: 'u1', username: 'ada' }, { id: 'u2', username: { evil: true } }],
    },
  } as unknown as SearchPage;
  const { photos, unreadable } = photosOfPage(page, new PhotoDeduper());
  assert.deepEqual(photos.map((p) => [p.postId, p.postUrl, p.imageUrl]), [['1', 'https://x.com/ada/status/1', 'https://pbs.twimg.com/media/A?format=jpg&name=large']]);
  assert.equal(unreadable, 3, 'a url that is a number, a photo without url, a post whose id is not text');
  assert.equal(sourceNote(undefined, 3), '3 photos in a form findme cannot read were skipped');
  assert.equal(sourceNote('stopped at FINDME_MAX_POSTS', 1), 'stopped at FINDME_MAX_POSTS; 1 photo in a form findme cannot read was skipped');
  assert.equal(sourceNote(undefined, 0), undefined);
});

test("an image is the same image under another query only on X's media host, where the query is size and format", () => {
  assert.equal(imageIdentity('https://pbs.twimg.com/media/A?format=jpg&name=small'), imageIdentity('https://pbs.twimg.com/media/A?format=png&name=large'));
  assert.notEqual(imageIdentity('https://media.example/img?id=1'), imageIdentity('https://media.example/img?id=2'));
  const seen = new SeenPosts();
  assert.deepEqual([seen.image('https://media.example/img?id=1'), seen.image('https://media.example/img?id=2'), seen.image('https://media.example/img?id=1#x')], [true, true, false]);
  const x = new PhotoDeduper();
  assert.deepEqual([x.add('3_1', 'https://pbs.twimg.com/media/A.jpg?name=small'), x.add('3_2', 'https://pbs.twimg.com/media/A.jpg?name=large')], [true, false]);
});

test("a source's own error text reaches the job as one short plain line", () => {
  assert.equal(remoteText('  Too   many\nrequests\u0000 <b>now</b>  '), 'Too many requests now');
  assert.equal(remoteText('\u202eevil'), 'evil');
  assert.equal(remoteText('x'.repeat(500))!.length, 200);
  assert.match(remoteText('x'.repeat(500))!, /…$/);
  assert.equal(remoteText(42), undefined);
  assert.equal(remoteText(' <p> </p> '), undefined);
});
