/**
 * SSD MobileNet v1 on face-api's own weights, run so that its working set stays small. face-api runs the whole
 * network inside one tf.tidy, which keeps every layer's output until the pass ends: ≈ 160 MB of tensors at the
 * 512 × 512 input, and the WASM heap never gives memory back, so one SSD pass left a container's heap at 300 MB
 * for good. Here each layer's input is freed as soon as its output exists, every box predictor runs as soon as
 * its feature map does, and batch norm is folded into the convolutions (one fused conv + bias + relu6 kernel a
 * layer): the working set is the largest two neighbouring layer outputs (≈ 25 MB). The arithmetic is face-api's —
 * the same input scaling, anchors, box decoding and non-maximum suppression — so the detections equal its own
 * within float rounding (test/face-lean-detectors.test.ts compares them on the demo photos).
 */
import type * as Tf from '@tensorflow/tfjs';
import type { FaceBox } from '../types';
import type { FaceRuntime } from './backend';
import type { RgbImage } from './decode';
import { runLayers, squareInput, unpadFactors } from './net-input';

type T1 = Tf.Tensor1D;
type T4 = Tf.Tensor4D;

/** The shape of `faceapi.nets.ssdMobilenetv1.params` (face-api's types name it but do not export it). */
interface SsdParams {
  mobilenetv1: Record<string, unknown> & {
    conv_0: PointwiseParams;
  };
  prediction_layer: Record<string, unknown>;
  output_layer: { extra_dim: Tf.Tensor3D };
}
interface PointwiseParams {
  filters: T4;
  batch_norm_offset: T1;
}
interface DepthwiseParams {
  filters: T4;
  batch_norm_scale: T1;
  batch_norm_offset: T1;
  batch_norm_mean: T1;
  batch_norm_variance: T1;
}
interface ConvParams {
  filters: T4;
  bias: T1;
}

/** A convolution with its bias, followed by relu6 unless it is a box predictor. */
interface Conv {
  filter: T4;
  bias: T1;
  depthwise: boolean;
}

interface FoldedSsd {
  conv0: Conv;
  /** conv_1 … conv_13: a depthwise then a pointwise convolution each. */
  pairs: Array<[Conv, Conv]>;
  /** prediction_layer conv_0 … conv_7. */
  extra: Conv[];
  /** box_predictor_0 … 5: the box encoding and the class convolutions. */
  predictors: Array<[ConvParams, ConvParams]>;
  /** The anchors, [ymin, xmin, ymax, xmax] relative to the input, one per prediction. */
  anchors: Float32Array;
}

/** face-api's batch norm epsilon for SSD's depthwise layers. */
const EPSILON = 0.0010000000474974513;
/** face-api pads SSD's input to a square and scales it to 512 × 512. */
export const SSD_INPUT_SIDE = 512;
/** IoU above which the weaker box is dropped, and most boxes kept: face-api's. */
const IOU_THRESHOLD = 0.5;
const MAX_RESULTS = 100;

/** Layers of mobilenet v1 (1-based pairs) that halve the feature map, as face-api's getStridesForLayerIdx. */
const STRIDED_PAIRS = new Set([2, 4, 6, 12]);
/** The mobilenet pair whose output feeds the first box predictor. */
const FIRST_FEATURE_PAIR = 11;

const folded = new WeakMap<object, FoldedSsd>();

/** The net's weights with batch norm folded in, made once per loaded model (the net's params object). */
function foldedWeights(tf: typeof Tf, params: SsdParams): FoldedSsd {
  const known = folded.get(params);
  if (known) return known;
  const weights = (() => {
    const pointwise = (p: PointwiseParams): Conv => ({ filter: p.filters, bias: p.batch_norm_offset, depthwise: false });
    const depthwise = (p: DepthwiseParams): Conv => {
      // batchNorm(x) = (x − mean) · scale / √(variance + ε) + offset: a per-channel factor on the filters and a bias.
      const [filter, bias] = tf.tidy(() => {
        const factor = tf.div(p.batch_norm_scale, tf.sqrt(tf.add(p.batch_norm_variance, EPSILON)));
        return [tf.mul(p.filters, tf.reshape(factor, [1, 1, -1, 1])), tf.sub(p.batch_norm_offset, tf.mul(p.batch_norm_mean, factor))];
      }) as [T4, T1];
      return { filter, bias, depthwise: true };
    };
    const net = params.mobilenetv1;
    const pairs: Array<[Conv, Conv]> = [];
    for (let i = 1; i <= 13; i += 1) {
      const pair = net[`conv_${i}`] as { depthwise_conv: DepthwiseParams; pointwise_conv: PointwiseParams };
      pairs.push([depthwise(pair.depthwise_conv), pointwise(pair.pointwise_conv)]);
    }
    const layer = params.prediction_layer;
    const extra = Array.from({ length: 8 }, (_, i) => pointwise(layer[`conv_${i}`] as PointwiseParams));
    const predictors = Array.from({ length: 6 }, (_, i) => {
      const p = layer[`box_predictor_${i}`] as { box_encoding_predictor: ConvParams; class_predictor: ConvParams };
      return [p.box_encoding_predictor, p.class_predictor] as [ConvParams, ConvParams];
    });
    return { conv0: pointwise(net.conv_0), pairs, extra, predictors };
  })();
  const result: FoldedSsd = { ...weights, anchors: params.output_layer.extra_dim.dataSync() as Float32Array };
  folded.set(params, result);
  return result;
}

function convolve(tf: typeof Tf, x: T4, conv: Conv, stride: number): T4 {
  const args = { x, filter: conv.filter, strides: [stride, stride] as [number, number], pad: 'same' as const, bias: conv.bias, activation: 'relu6' as const };
  return conv.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
}

/** The feature maps' predictions, read as soon as each map exists: box encodings and class logits per anchor. */
class Predictions {
  private readonly boxes: Float32Array[] = [];
  private readonly classes: Float32Array[] = [];

  constructor(private readonly tf: typeof Tf) {}

  async add(x: T4, [box, cls]: [ConvParams, ConvParams]): Promise<void> {
    const [b, c] = this.tf.tidy(() => [
      this.tf.fused.conv2d({ x, filter: box.filters, strides: [1, 1], pad: 'same', bias: box.bias }),
      this.tf.fused.conv2d({ x, filter: cls.filters, strides: [1, 1], pad: 'same', bias: cls.bias }),
    ]);
    try {
      // NHWC with (anchor, value) innermost: the same order as face-api's reshape to [-1, 4] and [-1, 3].
      this.boxes.push((await b.data()) as Float32Array);
      this.classes.push((await c.data()) as Float32Array);
    } finally {
      b.dispose();
      c.dispose();
    }
  }

  joined(): { boxes: Float32Array; classes: Float32Array } {
    const join = (parts: Float32Array[]) => {
      const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      return all;
    };
    return { boxes: join(this.boxes), classes: join(this.classes) };
  }
}

/**
 * The network on `input` (a [1, 512, 512, 3] tensor scaled to −1…1, which it disposes): every anchor's
 * predictions, in face-api's order (box predictor 0 on pair 11's output, 1 on the last pair's, 2–5 on the odd
 * extra layers').
 */
async function forward(tf: typeof Tf, weights: FoldedSsd, input: T4): Promise<{ boxes: Float32Array; classes: Float32Array }> {
  const layers: Array<(x: T4) => T4> = [(x) => convolve(tf, x, weights.conv0, 2)];
  const taps = new Map<number, number>();
  for (const [i, [depthwise, pointwise]] of weights.pairs.entries()) {
    layers.push((x) => convolve(tf, x, depthwise, STRIDED_PAIRS.has(i + 1) ? 2 : 1), (x) => convolve(tf, x, pointwise, 1));
    if (i + 1 === FIRST_FEATURE_PAIR) taps.set(layers.length - 1, 0);
  }
  taps.set(layers.length - 1, 1);
  for (const [i, conv] of weights.extra.entries()) {
    layers.push((x) => convolve(tf, x, conv, i % 2 === 1 ? 2 : 1));
    if (i % 2 === 1) taps.set(layers.length - 1, 2 + (i - 1) / 2);
  }
  const predictions = new Predictions(tf);
  await runLayers(input, layers, async (index, x) => {
    const predictor = taps.get(index);
    if (predictor !== undefined) await predictions.add(x, weights.predictors[predictor]!);
  });
  return predictions.joined();
}

/** SSD's input: −1…1. */
function scaledInput(tf: typeof Tf, image: RgbImage): T4 {
  const pixels = squareInput(tf, image, SSD_INPUT_SIDE);
  try {
    return tf.tidy(() => tf.sub(tf.div(pixels, 127.5), 1) as T4);
  } finally {
    pixels.dispose();
  }
}

type Corners = [number, number, number, number];

/** face-api's IoU of two [ymin, xmin, ymax, xmax] boxes (corners in either order; 0 for an empty box). */
function iou(a: Corners, b: Corners): number {
  const [ay0, ax0, ay1, ax1] = [Math.min(a[0], a[2]), Math.min(a[1], a[3]), Math.max(a[0], a[2]), Math.max(a[1], a[3])];
  const [by0, bx0, by1, bx1] = [Math.min(b[0], b[2]), Math.min(b[1], b[3]), Math.max(b[0], b[2]), Math.max(b[1], b[3])];
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/** Anchor `i`'s decoded box (face-api's decodeBoxesLayer: offsets scaled by 10, sizes by 5). */
function decode(anchors: Float32Array, boxes: Float32Array, i: number): Corners {
  const [a0, a1, a2, a3] = [anchors[i * 4]!, anchors[i * 4 + 1]!, anchors[i * 4 + 2]!, anchors[i * 4 + 3]!];
  const [v0, v1, v2, v3] = [boxes[i * 4]!, boxes[i * 4 + 1]!, boxes[i * 4 + 2]!, boxes[i * 4 + 3]!];
  const height = a2 - a0;
  const width = a3 - a1;
  const cy = (v0 / 10) * height + (a0 + height / 2);
  const cx = (v1 / 10) * width + (a1 + width / 2);
  const halfH = (Math.exp(v2 / 5) * height) / 2;
  const halfW = (Math.exp(v3 / 5) * width) / 2;
  return [cy - halfH, cx - halfW, cy + halfH, cx + halfW];
}

/**
 * SSD's faces in `image` scoring above `minConfidence`, strongest first, in pixels of `image`: what face-api's
 * `detectAllFaces` with SsdMobilenetv1Options returns, in a fraction of its memory.
 */
export async function ssdDetect(runtime: FaceRuntime, image: RgbImage, minConfidence: number): Promise<Array<{ box: FaceBox; score: number }>> {
  const { tf, faceapi } = runtime;
  const params = faceapi.nets.ssdMobilenetv1.params as unknown as SsdParams | undefined;
  if (!params) throw new Error('SSD MobileNet v1 is not loaded');
  const weights = foldedWeights(tf, params);
  const { boxes, classes } = await forward(tf, weights, scaledInput(tf, image));
  const count = weights.anchors.length / 4;
  if (boxes.length !== count * 4 || classes.length !== count * 3) throw new Error(`SSD predicted ${boxes.length / 4} boxes for ${count} anchors`);
  const candidates: Array<{ index: number; score: number }> = [];
  for (let i = 0; i < count; i += 1) {
    // Class 1 of (background, face, unused) through a sigmoid, as face-api's outputLayer.
    const score = 1 / (1 + Math.exp(-classes[i * 3 + 1]!));
    if (score > minConfidence) candidates.push({ index: i, score });
  }
  candidates.sort((a, b) => b.score - a.score);
  const kept: Array<{ corners: Corners; score: number }> = [];
  for (const { index, score } of candidates) {
    if (kept.length >= Math.min(MAX_RESULTS, count)) break;
    const corners = decode(weights.anchors, boxes, index);
    if (kept.every((k) => iou(corners, k.corners) <= IOU_THRESHOLD)) kept.push({ corners, score });
  }
  // Boxes are relative to the padded square: back to the image's own extent, then to its pixels.
  const pad = unpadFactors(image, SSD_INPUT_SIDE);
  return kept.map(({ corners: [ymin, xmin, ymax, xmax], score }) => {
    const top = Math.max(0, ymin) * pad.y;
    const bottom = Math.min(1, ymax) * pad.y;
    const left = Math.max(0, xmin) * pad.x;
    const right = Math.min(1, xmax) * pad.x;
    return { box: { x: left * image.width, y: top * image.height, width: (right - left) * image.width, height: (bottom - top) * image.height }, score };
  });
}
