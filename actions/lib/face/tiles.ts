/**
 * The fine pass's geometry: overlapping tiles that cover a photo, and the non-maximum suppression that merges
 * what the whole-photo pass and the tiles found, so a face is reported once. Pure functions, no models.
 */
import type { FaceBox } from '../types';

export interface Tile {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ScoredBox {
  box: FaceBox;
  score: number;
}

/**
 * Each tile is this fraction of its side larger than an even split, so a face that an even split would cut is
 * whole in at least one tile (a face up to ~0.15 × tile side; larger faces are the whole-photo pass's job).
 */
export const TILE_OVERLAP = 0.15;

/**
 * With the grid set by photo size (FINDME_DETECT_TILES=0), tiles are about this long: a 2048 px photo gets 2 × 2
 * (SSD sees each tile at 512 px, a 2.3× shrink), a 4032 px one 4 across instead of a 2 × 2 whose 2318 px tiles
 * would shrink a 96 px face to 21 px.
 */
export const TILE_TARGET_SIDE = 1024;

/** Tiles along the longer side: `grid` when set (≥ 1), else by size, at least 2 (0: by size). */
export function tilesAcross(width: number, height: number, grid: number): number {
  if (grid >= 1) return grid;
  return Math.max(2, Math.round(Math.max(width, height) / TILE_TARGET_SIDE));
}

/** Positions of `count` spans of `span` spread evenly over `[0, length]`. */
function spans(length: number, span: number, count: number): number[] {
  if (count <= 1) return [0];
  const step = (length - span) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/**
 * Square tiles: `across` along the photo's longer side, as many along the shorter side as cover it with the same
 * overlap. Empty when `across` < 2 or when a tile would be under `minSide` px (its face would be upscaled: the
 * whole-photo pass already sees such a photo near full size).
 */
export function tileLayout(width: number, height: number, across: number, minSide: number, overlap = TILE_OVERLAP): Tile[] {
  if (across < 2) return [];
  const long = Math.max(width, height);
  const side = Math.min(long, Math.round((long / across) * (1 + overlap)));
  if (side < minSide) return [];
  const count = (length: number) => (length <= side ? 1 : Math.ceil((length - side) / (side * (1 - overlap))) + 1);
  const tileW = Math.min(side, width);
  const tileH = Math.min(side, height);
  const tiles: Tile[] = [];
  for (const top of spans(height, tileH, count(height))) {
    for (const left of spans(width, tileW, count(width))) tiles.push({ left, top, width: tileW, height: tileH });
  }
  return tiles;
}

/**
 * Tiles of any shape, each at most `maxSide` on either side unless that would take more than `maxAcross` of them
 * along a side (then they grow), overlapping by `overlap` of an even split. Empty when one tile would cover the
 * photo. For a detector that sees a tile at its own shape: a 4 : 3 photo costs no square of padding.
 */
export function coverTiles(width: number, height: number, maxSide: number, overlap: number, maxAcross: number): Tile[] {
  const count = (length: number) => (length <= maxSide ? 1 : Math.min(maxAcross, Math.ceil((length * (1 + overlap)) / maxSide)));
  const across = count(width);
  const down = count(height);
  if (across === 1 && down === 1) return [];
  const span = (length: number, n: number) => (n === 1 ? length : Math.min(length, Math.round((length / n) * (1 + overlap))));
  const tileW = span(width, across);
  const tileH = span(height, down);
  const tiles: Tile[] = [];
  for (const top of spans(height, tileH, down)) {
    for (const left of spans(width, tileW, across)) tiles.push({ left, top, width: tileW, height: tileH });
  }
  return tiles;
}

/** A candidate counts for a tile when at least this fraction of it lies inside the tile. */
export const IN_TILE = 0.5;

/**
 * The cascade's choice: the tiles the expensive detector runs on, those holding at least half of a candidate
 * the cheap pass saw that no whole-photo detection already covers (a face found whole needs no second look; a
 * face across a tile edge picks both tiles). Candidates and known boxes in the same pixels as the tiles.
 */
export function refineTiles(tiles: readonly Tile[], candidates: readonly ScoredBox[], known: readonly ScoredBox[], same = SAME_FACE): Tile[] {
  const fresh = notIn(candidates, known, same);
  return tiles.filter((tile) => {
    const box = tileBox(tile);
    return fresh.some((c) => area(c.box) > 0 && intersection(box, c.box) >= IN_TILE * area(c.box));
  });
}

function tileBox(tile: Tile): FaceBox {
  return { x: tile.left, y: tile.top, width: tile.width, height: tile.height };
}

function area(b: FaceBox): number {
  return Math.max(0, b.width) * Math.max(0, b.height);
}

function intersection(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Boxes overlapping this much (intersection over the smaller box) are one face. */
export const SAME_FACE = 0.5;

function sameFace(a: FaceBox, b: FaceBox, same: number): boolean {
  return intersection(a, b) > same * Math.min(area(a), area(b));
}

/** `boxes` without those that are a face `known` already holds (the same test as NMS). */
export function notIn<T extends ScoredBox>(boxes: readonly T[], known: readonly ScoredBox[], same = SAME_FACE): T[] {
  return boxes.filter((b) => !known.some((k) => sameFace(k.box, b.box, same)));
}

/**
 * Greedy NMS by score. Overlap is measured against the smaller box, not the union: a tile's edge can cut a face
 * into a partial box inside the whole one, and that is the same face.
 */
export function suppress<T extends ScoredBox>(boxes: readonly T[], same = SAME_FACE): T[] {
  const kept: T[] = [];
  for (const candidate of [...boxes].sort((a, b) => b.score - a.score)) {
    const duplicate = kept.some((k) => sameFace(k.box, candidate.box, same));
    if (!duplicate) kept.push(candidate);
  }
  return kept;
}

/**
 * A check window is this many candidate sides across: face-api's detectors want context around a face, and the
 * check (Tiny 224) wants it large. A proposal is often looser than its face (Tiny's box of a 64 px face pasted from
 * a tight crop was 100 px), so 4 sides put that face at 36 px in the check's input, where Tiny 224 misses it; 3 put
 * it at 48. Chosen on the stage benchmark's first sample (bench/README.md#stage, 2026-12-07): 3 against 4, sure +
 * maybe 43.8 / 93.8 / 100 % at 32 / 48 / 64 px against 37.5 / 93.8 / 100 %, sure at 64 px 75 against 68.8 %, no
 * false match or detection either way, the same windows at the same cost; 2.5 found no more.
 */
export const CHECK_WINDOW_WIDTHS = 3;
/** …and at least this many pixels (a 24 px candidate's 96 px window is upscaled to the check detector's input). */
export const CHECK_WINDOW_MIN_SIDE = 96;
/** The most windows a photo's check costs for candidates of any score, the strongest first… */
export const MAX_CHECK_WINDOWS = 12;
/**
 * …and beyond those, at most this many more for candidates scoring CROWD_MIN_SCORE or more (the time bound is the
 * sum). A photo of an audience has more small faces than 12, proposed surely: a composite of 16 or 20 demo faces of
 * 40–64 px had 12 of them found with 12 windows (2026-12-08). The weak proposals that fill the windows of a photo of
 * a few large faces get none of these.
 */
export const CROWD_CHECK_WINDOWS = 36;
/** …a score that a weak proposal (a 32 px face at 0.008–0.03, a textured scene's large false boxes at 0.06) is not. */
export const CROWD_MIN_SCORE = 0.3;

/**
 * The windows fine pass's second stage: a square window around each candidate no known detection covers,
 * `widths` (CHECK_WINDOW_WIDTHS) of its longer side across (at least CHECK_WINDOW_MIN_SIDE), clamped inside the
 * photo, at most `max` of them by score, then at most `crowd` more for candidates scoring CROWD_MIN_SCORE or more.
 * A candidate inside an earlier window no larger than its own is checked by that window
 * (it sees the candidate whole, and as large), so a cluster of weak boxes on one face costs one window.
 */
export function checkWindows(
  width: number,
  height: number,
  candidates: readonly ScoredBox[],
  known: readonly ScoredBox[],
  { max = MAX_CHECK_WINDOWS, crowd = CROWD_CHECK_WINDOWS, same = SAME_FACE, widths = CHECK_WINDOW_WIDTHS }: { max?: number; crowd?: number; same?: number; widths?: number } = {},
): Tile[] {
  const fresh = notIn(candidates.filter((c) => area(c.box) > 0), known, same);
  const windows: Tile[] = [];
  for (const { box, score } of [...fresh].sort((a, b) => b.score - a.score)) {
    // Strongest first: past `max`, the first candidate under CROWD_MIN_SCORE ends the check.
    if (windows.length >= max && (score < CROWD_MIN_SCORE || windows.length >= max + crowd)) break;
    const side = Math.round(Math.min(Math.max(CHECK_WINDOW_MIN_SIDE, widths * Math.max(box.width, box.height)), width, height));
    // Covered only by a window no larger than its own: a loose box's window shrinks the face below what the check
    // sees (a 96 px face in the window of a 172 px proposal is 42 px at Tiny 224), and a tighter box of the same
    // face must still get its window.
    const covered = windows.some((w) => w.width <= side && intersection(tileBox(w), box) >= 0.9 * area(box));
    if (covered) continue;
    const clamp = (centre: number, length: number) => Math.round(Math.min(Math.max(0, centre - side / 2), length - side));
    windows.push({ left: clamp(box.x + box.width / 2, width), top: clamp(box.y + box.height / 2, height), width: side, height: side });
  }
  return windows;
}
