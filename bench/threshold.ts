/** True- and false-positive rates by threshold, and the rule that picks the match threshold findme ships. */

/** 0.45 to 0.65 in steps of 0.0125. */
export const THRESHOLDS = Array.from({ length: 17 }, (_, i) => Math.round((0.45 + i * 0.0125) * 10_000) / 10_000);

export interface Rates {
  threshold: number;
  tpr: number;
  fpr: number;
}

/** TPR and FPR of distances at each threshold; a missing descriptor (Infinity) counts as a miss, never a match. */
export function rates(positives: number[], negatives: number[], thresholds = THRESHOLDS): Rates[] {
  return thresholds.map((threshold) => ({
    threshold,
    tpr: positives.length ? positives.filter((d) => d <= threshold).length / positives.length : NaN,
    fpr: negatives.length ? negatives.filter((d) => d <= threshold).length / negatives.length : NaN,
  }));
}

export interface Choice {
  /** The threshold to ship; undefined when no threshold keeps every false-positive rate within the limit. */
  threshold: number | undefined;
  /** Thresholds meeting both the TPR target (on `recall`) and the FPR limit (everywhere). */
  safe: number[];
  /** Why this one. */
  reason: string;
}

/**
 * The threshold to ship. `recall` is the table whose TPR the target is about (real photos, 400 px profile);
 * `guards` are every table whose FPR must stay within `maxFpr` (including `recall`). The thresholds meeting both
 * form a range; the middle of it is chosen (the upper middle when there are two), as far as the grid allows from
 * both edges: the lower edge is where real photos of you start to be missed, the upper where strangers start to
 * match, and a new set of faces moves both a little. If none meets the TPR target, the largest within the FPR
 * limit (a missed photo is the failure users cannot see; a false match is shown and can be dismissed).
 */
export function chooseThreshold(recall: Rates[], guards: Rates[][], maxFpr: number, minTpr = 0.95): Choice {
  const withinFpr = recall.map((r) => r.threshold).filter((t) => guards.every((table) => (table.find((r) => r.threshold === t)?.fpr ?? 1) <= maxFpr));
  const safe = withinFpr.filter((t) => (recall.find((r) => r.threshold === t)?.tpr ?? 0) >= minTpr);
  if (safe.length > 0) return { threshold: safe[Math.floor(safe.length / 2)], safe, reason: `the middle of the thresholds with TPR ≥ ${minTpr * 100} % and every FPR ≤ ${maxFpr * 100} %` };
  const fallback = withinFpr.at(-1);
  return { threshold: fallback, safe, reason: fallback === undefined ? `no threshold keeps every FPR ≤ ${maxFpr * 100} %` : `no threshold reaches TPR ${minTpr * 100} % within FPR ≤ ${maxFpr * 100} %: the largest within the FPR limit` };
}
