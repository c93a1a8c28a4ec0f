/**
 * The names bench/stage.ts gives its baseline and the engine's default in results/stage.json, shared with the
 * scale model (bench/scale.ts), which reads the default fine pass's cost from that file.
 */
export const BEFORE_FINE_VARIANT = 'single pass (before)';
/** FINDME_DETECT_FINE's default (the cascade, Tiny 416 on the tiles). */
export const DEFAULT_FINE_VARIANT = 'cascade tiny416';
