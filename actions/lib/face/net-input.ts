/**
 * The input face-api's detectors take, built the way face-api builds it (NetInput.toBatchTensor with its inputs
 * not centred): the image padded with black at its bottom or right to a square and scaled bilinearly to the
 * detector's side, as float32 pixel values 0…255, in a batch of one.
 */
import type * as Tf from '@tensorflow/tfjs';
import type { RgbImage } from './decode';

export function squareInput(tf: typeof Tf, image: RgbImage, side: number): Tf.Tensor4D {
  return tf.tidy(() => {
    const pixels = tf.cast(tf.tensor3d(image.data, [image.height, image.width, 3], 'int32'), 'float32');
    const square = Math.max(image.width, image.height);
    const padded = image.width === image.height ? pixels : tf.pad(pixels, [[0, square - image.height], [0, square - image.width], [0, 0]]);
    const sized = square === side ? padded : tf.image.resizeBilinear(padded as Tf.Tensor3D, [side, side], false, false);
    return tf.expandDims(sized, 0) as Tf.Tensor4D;
  });
}

/**
 * The image as it is, padded with black at its bottom and right to whole multiples of `multiple` (a fully
 * convolutional detector's stride), as float32 pixel values 0…255, in a batch of one: no square, no rescaling, so
 * a wide tile costs only its own pixels.
 */
export function paddedInput(tf: typeof Tf, image: RgbImage, multiple: number): Tf.Tensor4D {
  return tf.tidy(() => {
    const pixels = tf.cast(tf.tensor3d(image.data, [image.height, image.width, 3], 'int32'), 'float32');
    const height = paddedSide(image.height, multiple);
    const width = paddedSide(image.width, multiple);
    const padded = width === image.width && height === image.height ? pixels : tf.pad(pixels, [[0, height - image.height], [0, width - image.width], [0, 0]]);
    return tf.expandDims(padded, 0) as Tf.Tensor4D;
  });
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
