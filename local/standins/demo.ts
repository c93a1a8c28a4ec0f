/**
 * The demo hashtag `findme start` serves through the X stand-in: the face-api package's six group photos, posted
 * the way real posts come — one photo or several per post, a repost of the same photo, a video, a GIF and a
 * retweet that a search must skip.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FakeTweet } from './x-api';

export const DEMO_HASHTAG = 'findmedemo';

export function demoPhoto(n: 1 | 2 | 3 | 4 | 5 | 6): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', `sample${n}.jpg`);
}

export function demoTweets(): Record<string, FakeTweet[]> {
  return {
    [DEMO_HASHTAG]: [
      { id: '1900000000000000009', username: 'dana', text: 'Closing keynote crowd #findmedemo', media: [{ type: 'photo', key: '3_901', file: demoPhoto(6) }] },
      { id: '1900000000000000008', username: 'bo', text: 'RT of the team photo', retweetOf: '1900000000000000001', media: [{ type: 'photo', key: '3_101', file: demoPhoto(1) }] },
      { id: '1900000000000000007', username: 'cam', text: 'Our booth! #findmedemo', media: [{ type: 'video', key: '7_700' }] },
      { id: '1900000000000000006', username: 'ari', text: 'Day two #findmedemo', media: [{ type: 'photo', key: '3_501', file: demoPhoto(5) }, { type: 'animated_gif', key: '16_600' }] },
      { id: '1900000000000000005', username: 'bo', text: 'Same photo, posted again #findmedemo', media: [{ type: 'photo', key: '3_101', file: demoPhoto(1) }] },
      { id: '1900000000000000004', username: 'cam', text: 'Workshop #findmedemo', media: [{ type: 'photo', key: '3_301', file: demoPhoto(3) }, { type: 'photo', key: '3_401', file: demoPhoto(4) }] },
      { id: '1900000000000000002', username: 'dana', text: 'Speakers dinner #findmedemo', media: [{ type: 'photo', key: '3_201', file: demoPhoto(2) }] },
      { id: '1900000000000000001', username: 'ari', text: 'The team at #findmedemo', media: [{ type: 'photo', key: '3_101', file: demoPhoto(1) }] },
    ],
  };
}
