/**
 * How much of an activation's remaining time (Deadline.remaining(), the margin to record outcomes already kept)
 * a photo may use. Detection cannot be stopped once it runs, so a photo is started only when what is left covers
 * its download, decode and detection at their worst, and the download and decode are given only what the steps
 * after them leave over. A photo started any later would be killed with the activation, its outcome never
 * recorded, and its job could only end as stalled.
 */

/**
 * Detection, landmarks and descriptors of one photo at FINDME_DETECT_MAX_SIDE: measured at 0.5–1.5 s a photo on a
 * shared 2-vCPU machine (actions/README.md), so 6 s leaves room for a slower CPU and a crowded photo. With the
 * fine pass on (FINDME_DETECT_FINE=ssd) a 2048 px photo took 6–11 s at load 12 (bench/README.md#stage): this
 * reserve is for the default, tiles off.
 */
export const DETECT_RESERVE_MS = 6000;

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
