/**
 * The local identity provider's users. The demo users' profile pictures are faces cropped from the face-api
 * package's demo photos, so a search over the demo hashtag finds them. The crop rectangles come from one run of
 * SSD MobileNet v1 over the 1920 px originals (face boxes sample1 #0 at 414,355 177×240 and sample3 #0 at
 * 585,329 199×271), widened to a square with margin as a profile picture is framed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export interface IdentityUser {
  sub: string;
  username: string;
  password: string;
  name: string;
  email?: string;
  /** A URL; for demo users, served by the provider itself. */
  picture?: string;
}

export interface DemoPicture {
  photo: string;
  left: number;
  top: number;
  size: number;
}

export const DEMO_PASSWORD = 'findme-demo';

export const DEMO_USERS: ReadonlyArray<Omit<IdentityUser, 'picture'> & { crop: DemoPicture }> = [
  { sub: 'local|ada', username: 'ada', password: DEMO_PASSWORD, name: 'Ada Demo', email: 'ada@findme.local', crop: { photo: 'sample1.jpg', left: 286, top: 259, size: 432 } },
  { sub: 'local|grace', username: 'grace', password: DEMO_PASSWORD, name: 'Grace Demo', email: 'grace@findme.local', crop: { photo: 'sample3.jpg', left: 440, top: 220, size: 490 } },
];

function demoPhoto(name: string): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', name);
}

/** A 400×400 JPEG of the crop, as a profile picture would be. */
export async function renderDemoPicture(crop: DemoPicture): Promise<Buffer> {
  return sharp(demoPhoto(crop.photo))
    .extract({ left: crop.left, top: crop.top, width: crop.size, height: crop.size })
    .resize(400, 400)
    .jpeg({ quality: 88 })
    .toBuffer();
}
