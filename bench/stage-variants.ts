/**
 * The names bench/stage.ts gives its baseline and the engine's default in results/stage.json, shared with the
 * scale model (bench/scale.ts), which reads the default fine pass's cost from that file.
 */
export const BEFORE_FINE_VARIANT = 'single pass (before)';
/**
 * FINDME_DETECT_FINE's default (windows: the Tiny 768 proposer at score 0.01 on tiles of the photo's shape at
 * 0.85, SSD over the whole photo only when the gate sees a large face, then a check window per candidate).
 */
export const DEFAULT_FINE_VARIANT = 'windows gated x0.85 c0.01';
/** The default from 2026-12-07 17:40 until 23:30: the proposer's score 0.05. */
export const PREVIOUS_FINE_VARIANT = 'windows gated x0.85 c0.05';
/** The windows pass as it was the default until 2026-12-07 17:00: SSD on every photo, the proposer at 0.7. */
export const UNGATED_FINE_VARIANT = 'windows own x0.7, SSD always';
