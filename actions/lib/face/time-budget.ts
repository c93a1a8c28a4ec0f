/**
 * How much of an activation's remaining time (Deadline.remaining(), the margin to record outcomes already kept)
 * a photo may use. Detection cannot be stopped once it runs, so a photo is started only when what is left covers
 * its download, decode and detection at their worst, and the download and decode are given only what the steps
 * after them leave over. A photo started any later would be killed with the activation, its outcome never
 * recorded, and its job could only end as stalled.
 */

/**
 * Detection, landmarks and descriptors of one photo with either fine pass: the whole-photo pass alone was
 * 0.5–1.5 s a photo on a shared 2-vCPU machine (actions/README.md), the cascade ≈ 2× that on one-face 2048 px
 * photos, the windows pass (the default) ≈ 2.2–2.4× at 2048 px and 4.0–5.2× at 4032 px on photos with no large face,
 * more where SSD runs too (bench/README.md#stage); the windows pass is bounded by passes() (56 at 2048 px, 66 at
 * 4032 px: 48 of them are check windows, small Tiny 224 passes, 36 only for a crowd's confident candidates; a
 * composite of 30 faces of 32–64 px took ≈ 2 s, most of it describing the faces; a 4032 px photo ≈ 3–5 s on a
 * shared 2-vCPU machine), so
 * 9 s leaves room for most photos and a slower CPU (6 s with the fine pass off). FINDME_DETECT_FINE=ssd (SSD on every
 * tile, 6–11 s at load 12) needs more than this.
 */
export const DETECT_RESERVE_MS = 9000;

/** The least time worth giving a download or a decode (libvips counts its timeout in whole seconds). */
export const MIN_STEP_MS = 1000;

/** The least time left at which a download followed by `detections` decodes and detections may start. */
export function timeToStart(detections = 1): number {
  return MIN_STEP_MS + detections * (MIN_STEP_MS + DETECT_RESERVE_MS);
}

/**
 * The timeout for a download started now, followed by `detections` decodes and detections (a profile picture
 * may need two); 0 when there is not enough time left to start it.
 */
export function downloadBudget(remainingMs: number, detections = 1): number {
  return remainingMs >= timeToStart(detections) ? Math.floor(remainingMs - timeToStart(detections) + MIN_STEP_MS) : 0;
}

/** The timeout of each of `detections` decodes starting now, each followed by a detection; 0: no time for them. */
export function decodeBudget(remainingMs: number, detections = 1): number {
  const ms = (remainingMs - detections * DETECT_RESERVE_MS) / detections;
  return ms >= MIN_STEP_MS ? Math.floor(ms) : 0;
}
