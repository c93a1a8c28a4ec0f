/**
 * The fine pass's geometry without models: the grid by photo size, and the cascade's choice of the tiles the
 * expensive detector runs on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refineTiles, tileLayout, tilesAcross, type ScoredBox } from '../actions/lib/face/tiles';

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
