/**
 * The names bench/stage.ts gives its baseline and the engine's default in results/stage.json, shared with the
 * scale model (bench/scale.ts), which reads the default fine pass's cost from that file.
 */
export const BEFORE_FINE_VARIANT = 'single pass (before)';
/** FINDME_DETECT_FINE's default (windows: the Tiny 768 proposer on tiles of the photo's shape at 0.7, then a check window per candidate). */
export const DEFAULT_FINE_VARIANT = 'windows own x0.7';
/** The windows pass as it was the default until 2026-12-07: Tiny 512 on square tiles at about half size. */
export const PREVIOUS_FINE_VARIANT = 'windows tiny512 tiles';
