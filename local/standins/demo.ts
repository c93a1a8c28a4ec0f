/**
 * The demo world, in one place: the face-api package's six group photos (located here only), the faces in them,
 * the demo users whose profile pictures are cropped from them, and the demo hashtag `findme start` serves through
 * the X stand-in — posted the way real posts come: one photo or several per post, a repost of the same photo, a
 * video, a GIF and a retweet that a search must skip — and the same event as Mastodon and Bluesky have it (a
 * post federated from another instance, a video, a quote post with photos), and the stage demo's hashtag of
 * photos taken from the audience, Ada small among them. Used by `findme start`, `findme search`, the benchmarks and
 * the tests alike.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { FaceBox } from '../../actions/lib/types';
import type { IdentityUser } from './identity/accounts';
import type { FakeBlueskyPost } from './bluesky';
import type { FakeStatus } from './mastodon';
import { demoStagePhotos } from './stage-photos';
import type { FakeTweet } from './x-api';

export const DEMO_HASHTAG = 'findmedemo';
/** The demo's photos taken from the audience: Ada on stage and in a crowd, small, in 2048 × 1536 photos. */
export const DEMO_STAGE_HASHTAG = 'findmestage';

export type DemoNumber = 1 | 2 | 3 | 4 | 5 | 6;
export const DEMO_NUMBERS: readonly DemoNumber[] = [1, 2, 3, 4, 5, 6];

export function demoPhoto(n: DemoNumber): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', `sample${n}.jpg`);
}

/**
 * The three faces of demo/sample1.jpg (1920×1280), left to right, in original pixels: found by SSD at 640 px
 * and checked by eye. Written down so that fixtures and checks do not depend on the engine they test.
 */
export const SAMPLE1_FACES: readonly FaceBox[] = [
  { x: 412, y: 353, width: 180, height: 239 },
  { x: 837, y: 419, width: 190, height: 223 },
  { x: 1476, y: 199, width: 201, height: 238 },
];

/** The face of demo/sample3.jpg that Grace's picture is cropped around (SSD over the 1920 px original). */
export const SAMPLE3_FIRST_FACE: FaceBox = { x: 585, y: 329, width: 199, height: 271 };

export interface DemoPicture {
  photo: DemoNumber;
  left: number;
  top: number;
  size: number;
}

export const DEMO_PASSWORD = 'findme-demo';

/**
 * The identity provider's demo users. Their profile pictures are the faces SAMPLE1_FACES[0] and
 * SAMPLE3_FIRST_FACE, widened to a square with margin as a profile picture is framed.
 */
export const DEMO_USERS: ReadonlyArray<Omit<IdentityUser, 'picture'> & { crop: DemoPicture }> = [
  { sub: 'local|ada', username: 'ada', password: DEMO_PASSWORD, name: 'Ada Demo', email: 'ada@findme.local', crop: { photo: 1, left: 286, top: 259, size: 432 } },
  { sub: 'local|grace', username: 'grace', password: DEMO_PASSWORD, name: 'Grace Demo', email: 'grace@findme.local', crop: { photo: 3, left: 440, top: 220, size: 490 } },
];

/** A 400×400 JPEG of the crop, as a profile picture would be. */
export async function renderDemoPicture(crop: DemoPicture): Promise<Buffer> {
  return sharp(demoPhoto(crop.photo))
    .extract({ left: crop.left, top: crop.top, width: crop.size, height: crop.size })
    .resize(400, 400)
    .jpeg({ quality: 88 })
    .toBuffer();
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

/**
 * The faces of demo photos 2–6, in original pixels, as SSD found them at 640 px (2026-12-03): the crowd of the
 * stage demo's crowd scenes. Written down so building the demo runs no model.
 */
export const CROWD_FACES: Readonly<Record<Exclude<DemoNumber, 1>, readonly FaceBox[]>> = {
  2: [{ x: 1446, y: 154, width: 194, height: 242 }, { x: 898, y: 223, width: 155, height: 228 }, { x: 361, y: 135, width: 150, height: 253 }],
  3: [{ x: 585, y: 332, width: 199, height: 268 }, { x: 1515, y: 289, width: 169, height: 282 }, { x: 1074, y: 215, width: 221, height: 296 }],
  4: [{ x: 664, y: 50, width: 185, height: 263 }, { x: 256, y: 184, width: 162, height: 248 }, { x: 988, y: 179, width: 170, height: 227 }, { x: 1276, y: 132, width: 150, height: 256 }],
  5: [{ x: 787, y: 109, width: 154, height: 211 }, { x: 1112, y: 199, width: 159, height: 236 }, { x: 1406, y: 387, width: 167, height: 273 }, { x: 598, y: 415, width: 165, height: 249 }, { x: 377, y: 862, width: 172, height: 297 }],
  6: [{ x: 680, y: 320, width: 159, height: 306 }, { x: 1486, y: 260, width: 210, height: 297 }, { x: 1179, y: 305, width: 189, height: 278 }, { x: 250, y: 467, width: 209, height: 291 }],
};

/**
 * #findmestage on the X stand-in, newest first: Ada (demo/sample1.jpg's first face) 48 px and 64 px wide on
 * stage, and three crowd photos of the other demo faces at 40–90 px, Ada 56 px in the second. Built in memory
 * (≈ 1 s): the photos exist nowhere else.
 */
export async function demoStageTweets(): Promise<Record<string, FakeTweet[]>> {
  const sample1 = readFileSync(demoPhoto(1));
  const crowd = [
    { photo: sample1, faces: SAMPLE1_FACES },
    ...([2, 3, 4, 5, 6] as const).map((n) => ({ photo: readFileSync(demoPhoto(n)), faces: CROWD_FACES[n] })),
  ];
  const photos = await demoStagePhotos({ photo: sample1, faces: SAMPLE1_FACES, face: SAMPLE1_FACES[0]! }, crowd);
  const texts = ['Our speaker on the big stage #findmestage', 'Second talk of the morning #findmestage', 'Full room #findmestage', 'The crowd during Q&A #findmestage', 'Lunch break #findmestage'];
  return {
    [DEMO_STAGE_HASHTAG]: photos.map((photo, i) => ({
      id: `195000000000000000${9 - i}`,
      username: ['ari', 'bo', 'cam', 'dana', 'ari'][i]!,
      text: texts[i],
      media: [{ type: 'photo' as const, key: `3_stage${i}`, body: photo.jpeg }],
    })),
  };
}

/**
 * `count` posts of the six demo photos, one photo each, every one under its own media key (so its own URL): no
 * photo is a duplicate, and a search over them records `count` photos. One in six matches Ada. The same six files
 * are cached by their bytes after their first run; `distinctBytes` gives each photo bytes of its own, so that no
 * photo is a cache hit and the engine runs on every one (the benchmarks).
 */
export function demoPosts(hashtag: string, count: number, options: { distinctBytes?: boolean } = {}): FakeTweet[] {
  const bytes = new Map<string, Buffer>();
  return Array.from({ length: count }, (_, i) => {
    const file = demoPhoto(DEMO_NUMBERS[i % DEMO_NUMBERS.length]!);
    if (options.distinctBytes && !bytes.has(file)) bytes.set(file, readFileSync(file));
    const photo = options.distinctBytes ? { body: distinctJpeg(bytes.get(file)!, `${hashtag} ${i}`) } : { file };
    return { id: String(5_000_000_000 + count - i), username: `guest${i % 17}`, media: [{ type: 'photo' as const, key: `3_${hashtag}_${i}`, ...photo }] };
  });
}

/**
 * The same JPEG with a comment segment after its start marker: the same pixels in other bytes, as a photo
 * uploaded again usually is. findme caches faces by bytes as well as by URL, so a benchmark that means to run the
 * face engine on every photo gives each photo bytes of its own.
 */
export function distinctJpeg(jpeg: Buffer, tag: string): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('distinctJpeg: not a JPEG (no start-of-image marker)');
  const text = Buffer.from(tag.slice(0, 1000), 'utf8');
  const marker = Buffer.from([0xff, 0xfe, 0, 0]);
  marker.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, text, jpeg.subarray(2)]);
}

/** Mastodon's #findmedemo, newest first: Ada's team photo federated from another instance, a video, two more. */
export function demoStatuses(): Record<string, FakeStatus[]> {
  return {
    [DEMO_HASHTAG]: [
      { id: '113000000000000004', username: 'ari', domain: 'social.example', uri: 'https://social.example/users/ari/statuses/113000000000000004', text: 'The team at #findmedemo, from the fediverse', media: [{ type: 'image', file: demoPhoto(1) }] },
      { id: '113000000000000003', username: 'cam', text: 'Booth tour #findmedemo', media: [{ type: 'video' }] },
      { id: '113000000000000002', username: 'dana', text: 'Hallway track #findmedemo', media: [{ type: 'image', file: demoPhoto(2) }, { type: 'image', file: demoPhoto(4) }] },
      { id: '113000000000000001', username: 'bo', text: 'Workshop room #findmedemo', media: [{ type: 'image', file: demoPhoto(3) }] },
    ],
  };
}

/** Bluesky's #findmedemo, newest first: a quote post with Ada's team photo, and two posts of the others. */
export function demoBlueskyPosts(): Record<string, FakeBlueskyPost[]> {
  return {
    [DEMO_HASHTAG]: [
      { rkey: '3lfindme0003', handle: 'ari.bsky.social', text: 'Look who is in the #findmedemo team photo', images: [demoPhoto(1)], quote: true },
      { rkey: '3lfindme0002', handle: 'dana.bsky.social', text: 'Day two at #findmedemo', images: [demoPhoto(5), demoPhoto(6)] },
      { rkey: '3lfindme0001', handle: 'bo.bsky.social', text: 'Speakers dinner #findmedemo', images: [demoPhoto(2)] },
    ],
  };
}
