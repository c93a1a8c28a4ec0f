import type { FaceBox } from '../actions/lib/types';

/** A face box as percentages of the image, so the outline scales with the picture on any screen. */
export function boxPercent(box: FaceBox, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const clamp = (v: number) => Math.max(0, Math.min(100, v));
  if (!(width > 0 && height > 0)) return { left: 0, top: 0, width: 0, height: 0 };
  return {
    left: clamp((box.x / width) * 100),
    top: clamp((box.y / height) * 100),
    width: clamp((box.width / width) * 100),
    height: clamp((box.height / height) * 100),
  };
}
