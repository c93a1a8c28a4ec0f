/**
 * Stage-like photos made from real faces: a face cut from a photo (with its head and shoulders), shrunk so the
 * face is N px wide, and pasted into a large dark scene, as a speaker looks in a photo taken from the audience.
 * Pure and sharp-based: the stage benchmark, the tests and the local demo build their photos with it, and know
 * where each face is because they put it there.
 */
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import type { FaceBox } from '../../actions/lib/types';

export interface Placement {
  /** The source photo (any format sharp reads; EXIF orientation applied). */
  photo: Buffer;
  /** The face in the upright source photo's pixels. */
  face: FaceBox;
  /** The face's width in the scene. */
  faceWidth: number;
  /** Where the face's top-left corner goes in the scene; unset: the centre of the scene. */
  at?: { x: number; y: number };
}

export interface StagePhoto {
  jpeg: Buffer;
  /** Where each placement's face is in the scene, in its order. */
  boxes: FaceBox[];
}

/** The source is cut this many face widths (and heights) around the face: hair, neck, a bit of background. */
const CUT_MARGIN = 0.6;

/**
 * Gaussian noise (mean, sigma) as raw 8-bit pixels, the same for the same seed. libvips's own (sharp's
 * `create.noise`) draws a new texture on every call, so two runs of the stage benchmark on the same code saw
 * different composites, and a cell could move by a photo between them. Each value is a sum of four uniform bytes
 * of a xorshift32 draw, rescaled to unit variance (close enough to a normal distribution for a texture).
 */
export function seededNoise(width: number, height: number, channels: number, mean: number, sigma: number, seed: number): Buffer {
  const bytes = Buffer.alloc(width * height * channels);
  const clamped = new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length);
  // The sum of four bytes uniform on 0…255: mean 510, standard deviation √(4 · (256² − 1) / 12) ≈ 147.8.
  const scale = sigma / Math.sqrt((4 * (256 * 256 - 1)) / 12);
  let state = (Math.imul(seed + 1, 0x9e3779b9) ^ 0x6d2b79f5) >>> 0 || 1;
  for (let i = 0; i < clamped.length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const sum = (state & 255) + ((state >>> 8) & 255) + ((state >>> 16) & 255) + ((state >>> 24) & 255);
    clamped[i] = mean + (sum - 510) * scale;
  }
  return bytes;
}

/** An RGB image of seededNoise, for sharp to compose on or encode. */
export function noiseImage(width: number, height: number, mean: number, sigma: number, seed: number): Sharp {
  return sharp(seededNoise(width, height, 3, mean, sigma, seed), { raw: { width, height, channels: 3 } });
}

/** A dark stage with some texture (a flat colour is too easy for a detector's false positives to show). */
function scene(width: number, height: number, seed: number): Sharp {
  return noiseImage(width, height, 30 + (seed % 5) * 8, 18, seed);
}

/** Scales the cut so the face is `faceWidth` wide; returns the cut and the face's offset in it. */
async function cutFace(p: Placement): Promise<{ image: Buffer; width: number; height: number; faceX: number; faceY: number; faceHeight: number }> {
  const upright = sharp(p.photo).rotate();
  const meta = await sharp(await upright.toBuffer()).metadata();
  const srcW = meta.width ?? 0;
  const srcH = meta.height ?? 0;
  const mx = p.face.width * CUT_MARGIN;
  const my = p.face.height * CUT_MARGIN;
  const left = Math.max(0, Math.round(p.face.x - mx));
  const top = Math.max(0, Math.round(p.face.y - my));
  const right = Math.min(srcW, Math.round(p.face.x + p.face.width + mx));
  const bottom = Math.min(srcH, Math.round(p.face.y + p.face.height + my));
  const scale = p.faceWidth / p.face.width;
  const width = Math.max(1, Math.round((right - left) * scale));
  const height = Math.max(1, Math.round((bottom - top) * scale));
  const image = await sharp(p.photo).rotate().extract({ left, top, width: right - left, height: bottom - top }).resize(width, height, { fit: 'fill' }).png().toBuffer();
  return { image, width, height, faceX: (p.face.x - left) * scale, faceY: (p.face.y - top) * scale, faceHeight: p.face.height * scale };
}

/** Pastes each placement into a `width` × `height` scene; `seed` varies the scene's tint. */
export async function stagePhoto(placements: readonly Placement[], width: number, height: number, seed = 0, quality = 88): Promise<StagePhoto> {
  const layers: OverlayOptions[] = [];
  const boxes: FaceBox[] = [];
  for (const p of placements) {
    if (!(p.faceWidth >= 4 && p.face.width > 0 && p.face.height > 0)) throw new RangeError(`a placement needs a face and a face width of at least 4 px, got ${p.faceWidth}`);
    const cut = await cutFace(p);
    const at = p.at ?? { x: Math.round(width / 2 - p.faceWidth / 2), y: Math.round(height / 2 - cut.faceHeight / 2) };
    // The cut's corner, kept inside the scene so the face is never clipped.
    const left = Math.max(0, Math.min(width - cut.width, Math.round(at.x - cut.faceX)));
    const top = Math.max(0, Math.min(height - cut.height, Math.round(at.y - cut.faceY)));
    layers.push({ input: cut.image, left, top });
    boxes.push({ x: Math.round(left + cut.faceX), y: Math.round(top + cut.faceY), width: Math.round(p.faceWidth), height: Math.round(cut.faceHeight) });
  }
  const jpeg = await scene(width, height, seed).composite(layers).jpeg({ quality }).toBuffer();
  return { jpeg, boxes };
}

export interface DemoSource {
  photo: Buffer;
  faces: readonly FaceBox[];
}

export interface DemoStagePhoto extends StagePhoto {
  name: string;
  /** Which placement is the demo user's face (-1: none). */
  user: number;
}

/**
 * The local demo's stage photos: the demo user on stage (face 48 px wide in a 2048 × 1536 scene, and 64 px
 * off-centre), and three crowd-like scenes of the other demo faces at 40–90 px, one with the user among them.
 * `user` is the demo user's face in its photo; `crowd` are the demo photos with their faces.
 */
export async function demoStagePhotos(user: DemoSource & { face: FaceBox }, crowd: readonly DemoSource[]): Promise<DemoStagePhoto[]> {
  const W = 2048;
  const H = 1536;
  // The user's own face, should a crowd photo hold it, is not a stranger.
  const isUser = (photo: Buffer, face: FaceBox) => photo.equals(user.photo) && Math.abs(face.x - user.face.x) < user.face.width / 2 && Math.abs(face.y - user.face.y) < user.face.height / 2;
  const others = crowd.flatMap((source) => source.faces.filter((face) => !isUser(source.photo, face)).map((face) => ({ photo: source.photo, face })));
  const crowdScene = (k: number, withUser: boolean) => {
    const picks = others.filter((_, i) => i % 3 === k).slice(0, 8);
    const placements: Placement[] = picks.map((p, i) => ({ ...p, faceWidth: 40 + ((i * 17 + k * 11) % 51), at: { x: 150 + (i % 4) * 450 + k * 30, y: 350 + Math.floor(i / 4) * 550 } }));
    if (withUser) placements.push({ photo: user.photo, face: user.face, faceWidth: 56, at: { x: 1000, y: 120 } });
    return placements;
  };
  const specs: Array<{ name: string; placements: Placement[] }> = [
    { name: 'stage-speaker-48.jpg', placements: [{ photo: user.photo, face: user.face, faceWidth: 48 }] },
    { name: 'stage-speaker-64.jpg', placements: [{ photo: user.photo, face: user.face, faceWidth: 64, at: { x: 1500, y: 500 } }] },
    { name: 'stage-crowd-1.jpg', placements: crowdScene(0, false) },
    { name: 'stage-crowd-2.jpg', placements: crowdScene(1, true) },
    { name: 'stage-crowd-3.jpg', placements: crowdScene(2, false) },
  ];
  const built: DemoStagePhoto[] = [];
  for (const [i, spec] of specs.entries()) {
    const photo = await stagePhoto(spec.placements, W, H, i);
    built.push({ name: spec.name, user: spec.placements.findIndex((p) => p.face === user.face), ...photo });
  }
  return built;
}
