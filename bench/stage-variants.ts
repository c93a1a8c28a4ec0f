/**
 * The names bench/stage.ts gives its baseline and the engine's default in results/stage.json, shared with the
 * scale model (bench/scale.ts), which reads the default fine pass's cost from that file.
 */
export const BEFORE_FINE_VARIANT = 'single pass (before)';
/** FINDME_DETECT_FINE's default (windows: the Tiny 512 proposer on tiles, then a check window per candidate). */
export const DEFAULT_FINE_VARIANT = 'windows tiny512 tiles';
/** The cascade (Tiny 416 on the tiles, then SSD where it saw a face), the default until 2026-12-07. */
export const CASCADE_VARIANT = 'cascade tiny416';
