/**
 * The Tiny Face Detector on face-api's own weights, run layer by layer for the same reason as ssd.ts: face-api
 * keeps every layer's output of a pass in one tf.tidy (≈ 110 MB of tensors at input 512, 75 MB at 416) and the
 * WASM heap keeps its high-water mark for good. Here each layer frees its input as soon as its output exists and
 * the bias is fused into the convolution. The arithmetic is face-api's (mean subtraction, anchors, box decoding,
 * non-maximum suppression), so the detections equal its own within float rounding
 * (test/face-lean-detectors.test.ts).
 */
import type * as Tf from '@tensorflow/tfjs';
import type { FaceBox } from '../types';
import type { FaceRuntime } from './backend';
import type { RgbImage } from './decode';
import { paddedInput, paddedSide, runLayers, squareInput, unpadFactors } from './net-input';

type T1 = Tf.Tensor1D;
type T4 = Tf.Tensor4D;

/** The shape of `faceapi.nets.tinyFaceDetector.params` (face-api's MobilenetParams, which it does not export). */
interface TinyParams {
  conv0: { filters: T4; bias: T1 };
  conv1: SeparableParams;
  conv2: SeparableParams;
  conv3: SeparableParams;
  conv4: SeparableParams;
  conv5: SeparableParams;
  conv8: { filters: T4; bias: T1 };
}
interface SeparableParams {
  depthwise_filter: T4;
  pointwise_filter: T4;
  bias: T1;
}

/** face-api's TinyFaceDetector configuration (tinyFaceDetector/const.ts). */
const MEAN_RGB = [117.001, 114.697, 97.404] as const;
const ANCHORS: ReadonlyArray<readonly [number, number]> = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const IOU_THRESHOLD = 0.4;
/** Its leaky ReLU's slope, as the float32 face-api multiplies by. */
const LEAKY_ALPHA = 0.10000000149011612;
/** x, y, width, height, score: one box per anchor per cell. */
const BOX_ENCODING = 5;

/**
 * The layers, each convolution followed by its pool, reordered so the leaky ReLU runs after the pool: the ReLU is
 * monotonic, so the max of the activated values is the activated max, bit for bit, and it runs on a quarter of
 * the values. That matters on WASM, where tfjs's leaky ReLU (fused into a convolution or alone) is a plain loop:
 * fused into Tiny's first convolution at 768 × 576 it took 45 of that convolution's 79 ms. It runs as prelu with
 * one slope per channel (leakySlopes), which tfjs's WASM backend hands to XNNPACK: the same values, bit for bit,
 * in 2.7–5.6 ms on a 352 × 320 × 16 map against 10.7 ms with one scalar slope and 12.8 ms as leakyRelu
 * (bench/README.md#stage, 2026-12-07).
 */
function layers(tf: typeof Tf, params: TinyParams): Array<(x: T4) => T4> {
  const conv0 = firstConvolution(tf, params.conv0);
  const slopes = leakySlopes(tf, params);
  // Each intermediate is freed as soon as the next exists, as runLayers does between layers.
  const pool = (convolved: T4, stride: number): T4 => {
    try {
      return tf.maxPool(convolved, [2, 2], [stride, stride], 'same');
    } finally {
      convolved.dispose();
    }
  };
  const activated = (max: T4): T4 => {
    try {
      // tfjs types the slope as the input's rank; a per-channel one broadcasts along the last axis.
      return tf.prelu(max, slopes(max.shape[3]) as unknown as T4);
    } finally {
      max.dispose();
    }
  };
  const pooled = (stride: number, conv: (x: T4) => T4) => (x: T4) => activated(pool(conv(x), stride));
  const first = (x: T4) => tf.fused.conv2d({ x, filter: conv0.filters, strides: 1, pad: 'valid', bias: conv0.bias });
  // conv0 and its pool band by band (FIRST_BAND_ROWS): conv0's output is the largest tensor of a pass.
  const firstPooled = (x: T4): T4 => {
    const rows = x.shape[1] - 2;
    if (rows <= FIRST_BAND_ROWS) return pool(first(x), 2);
    const parts: T4[] = [];
    try {
      for (let top = 0; top < rows; top += FIRST_BAND_ROWS) {
        const band = tf.slice(x, [0, top, 0, 0], [1, Math.min(FIRST_BAND_ROWS, rows - top) + 2, -1, -1]);
        let convolved: T4;
        try {
          convolved = first(band);
        } finally {
          band.dispose();
        }
        parts.push(pool(convolved, 2));
      }
      return tf.concat(parts, 1);
    } finally {
      for (const part of parts) part.dispose();
    }
  };
  // face-api pads by one then convolves 'valid': the same as 'same' for a 3 × 3 filter at stride 1.
  const separable = (p: SeparableParams) => (x: T4) =>
    tf.tidy(() => tf.fused.conv2d({ x: tf.depthwiseConv2d(x, p.depthwise_filter, 1, 'same'), filter: p.pointwise_filter, strides: 1, pad: 'valid', bias: p.bias }));
  return [
    (x) => activated(firstPooled(x)),
    pooled(2, separable(params.conv1)),
    pooled(2, separable(params.conv2)),
    pooled(2, separable(params.conv3)),
    pooled(2, separable(params.conv4)),
    pooled(1, separable(params.conv5)),
    (x) => tf.fused.conv2d({ x, filter: params.conv8.filters, strides: 1, pad: 'valid', bias: params.conv8.bias }),
  ];
}

/**
 * conv0's output rows a band at most: conv0 is the only full-resolution layer, 16 channels of float32, 28.8 MB for
 * a 640 × 704 proposer tile, and the largest block a pass asks of the WASM heap, which keeps its high-water mark
 * for good and fragments around large blocks (after the six demo photos it stood at 247 MB in one process and 296
 * in another, the same code). Band by band its output is at most 10.5 MB of that tile. The result is the same, bit
 * for bit: conv0 is 'valid', so a band of output rows reads its rows of input plus two, and an even band height
 * keeps every pool window of the whole inside one band (a pool's 'same' padding falls on the last band only).
 */
const FIRST_BAND_ROWS = 256;

/**
 * The leaky ReLU's slope once per channel, for each layer width, made once per loaded weights: tfjs's WASM prelu
 * takes XNNPACK's path only for a per-channel slope.
 */
const slopesMade = new WeakMap<TinyParams, Map<number, T1>>();
function leakySlopes(tf: typeof Tf, params: TinyParams): (channels: number) => T1 {
  let made = slopesMade.get(params);
  if (!made) slopesMade.set(params, (made = new Map()));
  const byWidth = made;
  return (channels) => {
    let slope = byWidth.get(channels);
    if (!slope) byWidth.set(channels, (slope = tf.fill([channels], LEAKY_ALPHA, 'float32') as T1));
    return slope;
  };
}

/** The net's total stride: five 2 × 2 pools. An input side that is a multiple of it maps onto whole cells. */
export const TINY_STRIDE = 32;

/**
 * The detector's input: the pixels as they are, 0…255. `side`: the image padded to a square and scaled to it
 * (face-api's input); unset: the image at its own size, padded to whole cells. face-api's mean subtraction and
 * 1/255 scaling are folded into the first convolution (firstConvolution), which saves two passes over the input.
 */
function pixelInput(tf: typeof Tf, image: RgbImage, side: number | undefined): T4 {
  return side === undefined ? paddedInput(tf, image, TINY_STRIDE) : squareInput(tf, image, side);
}

/**
 * conv0 of `(x − mean) / 255` as a convolution of `x` itself: filters / 255, and the bias less what the mean
 * contributes (Σ filters · mean / 255 over each output channel's taps). Exact but for float rounding: conv0 is
 * 'valid', so every tap reads a pixel of the input, and the black padding is normalised in face-api too. A
 * proposer tile of 768 × 576 spent 14 of its ≈ 120 ms on those two passes (bench/README.md#stage, 2026-12-07).
 * Made once per loaded weights.
 */
const folded = new WeakMap<TinyParams['conv0'], TinyParams['conv0']>();
function firstConvolution(tf: typeof Tf, conv0: TinyParams['conv0']): TinyParams['conv0'] {
  let made = folded.get(conv0);
  if (!made) {
    made = tf.tidy(() => {
      const filters = tf.div(conv0.filters, 255) as T4;
      const mean = tf.tensor4d([...MEAN_RGB], [1, 1, 3, 1]);
      const bias = tf.sub(conv0.bias, tf.sum(tf.mul(filters, mean), [0, 1, 2])) as T1;
      return { filters, bias };
    });
    folded.set(conv0, made);
  }
  return made;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface Candidate {
  /** Relative to the image: left, top, right, bottom. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  score: number;
}

function iou(a: Candidate, b: Candidate): number {
  const width = Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left));
  const height = Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const inter = width * height;
  return inter / ((a.right - a.left) * (a.bottom - a.top) + (b.right - b.left) * (b.bottom - b.top) - inter);
}

/**
 * The Tiny Face Detector's faces in `image` scoring above `minConfidence`, strongest first, in pixels of
 * `image`. With `inputSize`: what face-api's `detectAllFaces` with TinyFaceDetectorOptions returns (the image
 * padded to a square and scaled to it), in a fraction of its memory. Without: the net on the image at its own
 * size (padded to whole cells, any aspect: the net is fully convolutional), so a caller that has already scaled a
 * wide tile pays for no square of padding.
 */
export async function tinyDetect(runtime: FaceRuntime, image: RgbImage, inputSize: number | undefined, minConfidence: number): Promise<Array<{ box: FaceBox; score: number }>> {
  const { tf, faceapi } = runtime;
  const params = faceapi.nets.tinyFaceDetector.params as unknown as TinyParams | undefined;
  if (!params) throw new Error('the Tiny Face Detector is not loaded');
  let output: { data: Float32Array; rows: number; cols: number } | undefined;
  const net = layers(tf, params);
  await runLayers(pixelInput(tf, image, inputSize), net, async (index, x) => {
    if (index === net.length - 1) output = { data: (await x.data()) as Float32Array, rows: x.shape[1], cols: x.shape[2] };
  });
  if (!output) throw new Error('the Tiny Face Detector gave no output');
  const { data, rows, cols } = output;
  if (data.length !== rows * cols * ANCHORS.length * BOX_ENCODING) throw new Error(`the Tiny Face Detector gave ${data.length} values for ${rows} × ${cols} cells`);
  // Cell units → fractions of the image: of the padded square (face-api's correction), or of the padded input.
  const pad = inputSize === undefined
    ? { x: paddedSide(image.width, TINY_STRIDE) / image.width, y: paddedSide(image.height, TINY_STRIDE) / image.height }
    : unpadFactors(image, inputSize);
  const candidates: Candidate[] = [];
  for (let row = 0; row < rows; row += 1) {
    for (let col = 0; col < cols; col += 1) {
      for (const [anchor, [anchorX, anchorY]] of ANCHORS.entries()) {
        const at = ((row * cols + col) * ANCHORS.length + anchor) * BOX_ENCODING;
        const score = sigmoid(data[at + 4]!);
        if (!(score > minConfidence)) continue;
        const centreX = ((col + sigmoid(data[at]!)) / cols) * pad.x;
        const centreY = ((row + sigmoid(data[at + 1]!)) / rows) * pad.y;
        const width = ((Math.exp(data[at + 2]!) * anchorX) / cols) * pad.x;
        const height = ((Math.exp(data[at + 3]!) * anchorY) / rows) * pad.y;
        const left = centreX - width / 2;
        const top = centreY - height / 2;
        candidates.push({ left, top, right: left + width, bottom: top + height, score });
      }
    }
  }
  // face-api's greedy suppression: the strongest box stays, every box overlapping it by more than the threshold goes.
  candidates.sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  for (const candidate of candidates) if (kept.every((k) => iou(k, candidate) <= IOU_THRESHOLD)) kept.push(candidate);
  return kept.map(({ left, top, right, bottom, score }) => ({
    box: { x: left * image.width, y: top * image.height, width: (right - left) * image.width, height: (bottom - top) * image.height },
    score,
  }));
}
