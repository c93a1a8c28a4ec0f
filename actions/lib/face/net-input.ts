/**
 * The input face-api's detectors take, built the way face-api builds it (NetInput.toBatchTensor with its inputs
 * not centred): the image padded with black at its bottom or right to a square and scaled bilinearly to the
 * detector's side, as float32 pixel values 0…255, in a batch of one.
 */
import type * as Tf from '@tensorflow/tfjs';
import type { RgbImage } from './decode';

export function squareInput(tf: typeof Tf, image: RgbImage, side: number): Tf.Tensor4D {
  const square = Math.max(image.width, image.height);
  const padded = onBlack(tf, image, square, square);
  if (square === side) return padded;
  try {
    return tf.image.resizeBilinear(padded, [side, side], false, false);
  } finally {
    padded.dispose();
  }
}

/**
 * The image as it is, padded with black at its bottom and right to whole multiples of `multiple` (a fully
 * convolutional detector's stride), as float32 pixel values 0…255, in a batch of one: no square, no rescaling, so
 * a wide tile costs only its own pixels.
 */
export function paddedInput(tf: typeof Tf, image: RgbImage, multiple: number): Tf.Tensor4D {
  return onBlack(tf, image, paddedSide(image.width, multiple), paddedSide(image.height, multiple));
}

/**
 * The image at the top left of a `width` × `height` canvas of black, as float32 pixel values 0…255, in a batch of
 * one. The bytes go straight into a float32 buffer already padded: the values tfjs's int32 cast and pad give, bit
 * for bit, without their int32 copy and two passes over the input (a proposer tile of 610 × 685: 2.9–6.7 ms
 * against 6.3–10.3, min–median of 60, and a 2048 px photo has six; over the windows pass that is inside this
 * machine's noise: one interleaved stage run, 2026-12-07 23:55, gave it from 3 % slower to 7 % faster by cell).
 */
function onBlack(tf: typeof Tf, image: RgbImage, width: number, height: number): Tf.Tensor4D {
  const row = image.width * 3;
  if (image.data.length !== row * image.height) throw new RangeError(`an RGB image of ${image.width} × ${image.height} has ${row * image.height} bytes, got ${image.data.length}`);
  const values = new Float32Array(height * width * 3);
  if (width === image.width) values.set(image.data);
  else for (let y = 0; y < image.height; y += 1) values.set(image.data.subarray(y * row, (y + 1) * row), y * width * 3);
  return tf.tensor4d(values, [1, height, width, 3]);
}

/** A side padded up to a whole multiple of `multiple`, as paddedInput pads it. */
export function paddedSide(length: number, multiple: number): number {
  return Math.ceil(length / multiple) * multiple;
}

/**
 * The factors that take a box relative to the padded square back to one relative to the image (face-api's
 * correction for its reshaped input dimensions, rounded as it rounds them).
 */
export function unpadFactors(image: { width: number; height: number }, side: number): { x: number; y: number } {
  const scale = side / Math.max(image.width, image.height);
  return { x: side / Math.round(image.width * scale), y: side / Math.round(image.height * scale) };
}

/**
 * Runs `layers` one after another on `input`, disposing each layer's input once its output exists (and the
 * last output, or whatever is current when a layer throws): only two neighbouring activations are alive at once.
 * `tap` sees each output before the next layer runs.
 */
export async function runLayers(input: Tf.Tensor4D, layers: Array<(x: Tf.Tensor4D) => Tf.Tensor4D>, tap: (index: number, x: Tf.Tensor4D) => Promise<void> | void): Promise<void> {
  let x = input;
  try {
    for (const [index, layer] of layers.entries()) {
      const next = layer(x);
      x.dispose();
      x = next;
      await tap(index, x);
    }
  } finally {
    x.dispose();
  }
}
