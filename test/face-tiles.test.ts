/**
 * The fine pass's geometry without models: the grid by photo size, the cascade's choice of the tiles the
 * expensive detector runs on, and the windows pass's check windows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWindows, coverTiles, CROWD_CHECK_WINDOWS, CROWD_MIN_SCORE, MAX_CHECK_WINDOWS, notIn, refineTiles, tileLayout, tilesAcross, type ScoredBox } from '../actions/lib/face/tiles';

const scored = (x: number, y: number, width: number, height = width, score = 0.3): ScoredBox => ({ box: { x, y, width, height }, score });

test('the grid by photo size: 2 × 2 up to 2048 px, about 1024 px tiles above; a set grid is kept', () => {
  assert.equal(tilesAcross(2048, 1536, 0), 2);
  assert.equal(tilesAcross(1536, 2048, 0), 2, 'portrait: the longer side counts');
  assert.equal(tilesAcross(1200, 900, 0), 2, 'never fewer than 2 (tileLayout drops tiles too small for the detector)');
  assert.equal(tilesAcross(3000, 2000, 0), 3);
  assert.equal(tilesAcross(4032, 3024, 0), 4);
  assert.equal(tilesAcross(4032, 3024, 2), 2);
  const tiles = tileLayout(4032, 3024, tilesAcross(4032, 3024, 0), 512);
  assert.equal(tiles.length, 12, '4 across, 3 down');
  for (const t of tiles) assert.ok(t.width < 1200 && t.width === t.height, JSON.stringify(t));
  assert.equal(Math.max(...tiles.map((t) => t.left + t.width)), 4032);
  assert.equal(Math.max(...tiles.map((t) => t.top + t.height)), 3024);
});

test('tiles of the photo\'s own shape: each at most the side given, overlapping, covering the photo, bounded in number', () => {
  assert.deepEqual(coverTiles(1000, 700, 1097, 0.05, 4), [], 'one tile would cover the photo: none');
  const tiles = coverTiles(2048, 1536, 1097, 0.05, 4);
  assert.deepEqual(tiles, [
    { left: 0, top: 0, width: 1075, height: 806 },
    { left: 973, top: 0, width: 1075, height: 806 },
    { left: 0, top: 730, width: 1075, height: 806 },
    { left: 973, top: 730, width: 1075, height: 806 },
  ], '2 × 2 of a 4 : 3 photo, not square');
  assert.deepEqual(coverTiles(2048, 1536, 1536, 0.05, 4).map((t) => [t.width, t.height]), [[1075, 1536], [1075, 1536]], 'the shorter side fits: one row');
  for (const [w, h, side] of [[4032, 3024, 1097], [3000, 1000, 800], [1537, 1536, 768]] as const) {
    const cover = coverTiles(w, h, side, 0.05, 4);
    for (const t of cover) assert.ok(t.width <= side && t.height <= side && t.left >= 0 && t.top >= 0 && t.left + t.width <= w && t.top + t.height <= h, `${w}×${h}: ${JSON.stringify(t)}`);
    assert.equal(Math.max(...cover.map((t) => t.left + t.width)), w);
    assert.equal(Math.max(...cover.map((t) => t.top + t.height)), h);
    // Neighbours overlap: every seam lies inside two tiles.
    const lefts = [...new Set(cover.map((t) => t.left))];
    for (const [i, left] of lefts.entries()) if (i > 0) assert.ok(left < lefts[i - 1]! + cover[0]!.width, `${w}×${h}: columns overlap`);
  }
  const capped = coverTiles(8000, 6000, 1097, 0.05, 4);
  assert.equal(capped.length, 16, 'at most 4 along a side: the tiles grow instead');
  assert.ok(capped[0]!.width > 1097);
});

test('the cascade refines only the tiles holding a new candidate; a face across a tile edge picks both tiles', () => {
  const tiles = tileLayout(2048, 1536, 2, 512);
  assert.equal(tiles.length, 4);
  const [topLeft, topRight] = [tiles[0]!, tiles[1]!];
  assert.ok(topLeft.left === 0 && topLeft.top === 0 && topRight.left > 0 && topRight.top === 0, JSON.stringify(tiles));
  assert.deepEqual(refineTiles(tiles, [], []), [], 'nothing seen: no expensive pass');
  assert.deepEqual(refineTiles(tiles, [scored(100, 100, 40)], []), [topLeft]);
  // In the columns' overlap: both top tiles hold it whole.
  const middle = scored(1000, 100, 40);
  assert.deepEqual(refineTiles(tiles, [middle], []), [topLeft, topRight]);
  // Mostly left of the right column's edge: only the left tile holds half of it.
  const edge = scored(topRight.left - 30, 100, 40);
  assert.deepEqual(refineTiles(tiles, [edge], []), [topLeft]);
  // The bottom-right corner: only the last tile.
  assert.deepEqual(refineTiles(tiles, [scored(1990, 1480, 40)], []), [tiles[3]]);
});

test('a candidate the whole-photo pass already found does not cost a tile pass', () => {
  const tiles = tileLayout(2048, 1536, 2, 512);
  const known = [scored(90, 95, 60, 70, 0.9)];
  assert.deepEqual(refineTiles(tiles, [scored(100, 100, 40)], known), [], 'inside a known face');
  assert.deepEqual(refineTiles(tiles, [scored(100, 100, 40), scored(1900, 1400, 30)], known), [tiles[3]], 'a new one elsewhere still counts');
  assert.deepEqual(refineTiles(tiles, [scored(300, 100, 40)], known), [tiles[0]], 'a neighbour of a known face is new');
});

test('check windows: CHECK_WINDOW_WIDTHS (3) candidate sides across (the longer side; at least 96 px), inside the photo, strongest first, bounded', () => {
  const box = (x: number, y: number, width: number, score: number) => ({ box: { x, y, width, height: width * 1.2 }, score });
  const windows = checkWindows(2048, 1536, [box(1000, 700, 40, 0.3), box(10, 10, 16, 0.9), box(2030, 1500, 30, 0.2)], []);
  assert.deepEqual(windows[0], { left: 0, top: 0, width: 96, height: 96 }, 'the strongest first; a 16 px candidate gets 96 px, clamped at the corner');
  assert.deepEqual(windows[1], { left: 948, top: 652, width: 144, height: 144 }, 'centred on the candidate, 3 × its 48 px height across');
  assert.deepEqual(windows[2], { left: 1940, top: 1428, width: 108, height: 108 }, 'clamped inside the far corner');
  assert.deepEqual(checkWindows(2048, 1536, [box(1000, 700, 40, 0.3)], [], { widths: 4 }), [{ left: 924, top: 628, width: 192, height: 192 }], 'another width when asked');
  const many = Array.from({ length: 30 }, (_, i) => box(i * 60, 100, 20, i / 100));
  const bounded = checkWindows(2048, 1536, many, []);
  assert.equal(bounded.length, MAX_CHECK_WINDOWS);
  assert.equal(Math.min(...bounded.map((w) => w.left)), 18 * 60 + 10 - 48, 'the 12 highest scores were kept (candidates 18 to 29)');
  // A crowd: confident candidates (CROWD_MIN_SCORE and over) get up to CROWD_CHECK_WINDOWS more, weak ones none.
  const crowd = Array.from({ length: 80 }, (_, i) => box((i % 20) * 100, 100 + Math.floor(i / 20) * 300, 20, i < 60 ? 0.9 - i / 1000 : 0.2));
  const checked = checkWindows(2048, 1536, crowd, []);
  assert.equal(checked.length, MAX_CHECK_WINDOWS + CROWD_CHECK_WINDOWS, 'bounded by the sum');
  const fewSure = [...crowd.slice(0, 20), ...crowd.slice(60)];
  assert.equal(checkWindows(2048, 1536, fewSure, []).length, 20, 'past 12, only the 8 confident ones left get a window, not the 20 weak ones');
  assert.equal(CROWD_MIN_SCORE, 0.3);
});

test('check windows: a candidate a sure detection covers, or one inside an earlier window no larger than its own, costs no window', () => {
  const sure = { box: { x: 500, y: 500, width: 40, height: 48 }, score: 0.9 };
  const weakOnSure = { box: { x: 505, y: 505, width: 36, height: 40 }, score: 0.2 };
  const a = { box: { x: 1000, y: 1000, width: 30, height: 36 }, score: 0.4 };
  const aLooser = { box: { x: 998, y: 998, width: 34, height: 40 }, score: 0.1 };
  assert.deepEqual(checkWindows(2048, 1536, [weakOnSure, a, aLooser], [sure]), [{ left: 961, top: 964, width: 108, height: 108 }]);
  assert.deepEqual(checkWindows(2048, 1536, [], [sure]), []);
  // A loose box first (a 96 px face proposed 172 px wide): in its 516 px window the check sees the face at 42 px;
  // the tighter box of the same face gets a window of its own, where the face is 47 px.
  const loose = { box: { x: 641, y: 520, width: 172, height: 172 }, score: 0.9 };
  const tight = { box: { x: 650, y: 519, width: 151, height: 151 }, score: 0.84 };
  assert.deepEqual(checkWindows(2048, 1536, [loose, tight], []).map((w) => w.width), [516, 453]);
});

test('a check detection that is a face the whole-photo pass already found is dropped, a new one kept', () => {
  const sure = { box: { x: 500, y: 500, width: 120, height: 140 }, score: 0.8 };
  const partial = { box: { x: 560, y: 500, width: 60, height: 140 }, score: 0.95 };
  const fresh = { box: { x: 650, y: 520, width: 30, height: 36 }, score: 0.7 };
  assert.deepEqual(notIn([partial, fresh], [sure]), [fresh]);
});
