/**
 * A detected face → its 128-d descriptor, from the upright photo's own pixels: a crop around the face (with the
 * margin face-api's alignment needs) goes through the same steps face-api chains after a detector — 68
 * landmarks on the detection box, the dlib-style aligned box from them, the recognition net on that box. A face
 * found small in a shrunk photo or a tile is so described from every pixel the photo has.
 */
import type * as FaceApi from '@vladmandic/face-api';
import sharp from 'sharp';
import type { FaceBox } from '../types';
import type { FaceRuntime } from './backend';
import type { RgbImage } from './decode';

/**
 * The crop extends the box by this fraction of its larger side on every side: the aligned box drawn from the
 * landmarks reaches past the detector's box (forehead, chin), and must not be clipped by the crop.
 */
export const CROP_MARGIN = 0.6;
/**
 * A face wider than this is shrunk to it in its crop: the landmark net sees 112 px and the recognition net
 * 150 px, so more pixels only cost time.
 */
export const CROP_FACE_SIDE = 224;

/** The region of `image` to crop for `box`, clipped to the image. */
export function cropRegion(image: { width: number; height: number }, box: FaceBox): { left: number; top: number; width: number; height: number } {
  const margin = CROP_MARGIN * Math.max(box.width, box.height);
  const left = Math.max(0, Math.floor(box.x - margin));
  const top = Math.max(0, Math.floor(box.y - margin));
  const right = Math.min(image.width, Math.ceil(box.x + box.width + margin));
  const bottom = Math.min(image.height, Math.ceil(box.y + box.height + margin));
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

/** The descriptor of the face at `box` (pixels of `image`); undefined when the crop is empty. */
export async function describeFace(runtime: FaceRuntime, image: RgbImage, box: FaceBox, score: number): Promise<Float32Array | undefined> {
  const region = cropRegion(image, box);
  const scale = Math.min(1, CROP_FACE_SIDE / Math.max(box.width, box.height, 1));
  const width = Math.max(1, Math.round(region.width * scale));
  const height = Math.max(1, Math.round(region.height * scale));
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract(region)
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const crop = { data, width, height };
  const [descriptor] = await describeIn(runtime, crop, [{ box: { x: (box.x - region.left) * scale, y: (box.y - region.top) * scale, width: box.width * scale, height: box.height * scale }, score }]);
  return descriptor;
}

/**
 * The descriptor of each face at its `box` (pixels of `image`, which holds all of it with margin or is the whole
 * photo): face-api's chain after a detector, on one input tensor for them all; undefined for a box that is empty
 * inside the image.
 */
export async function describeIn(runtime: FaceRuntime, image: RgbImage, faces: ReadonlyArray<{ box: FaceBox; score: number }>): Promise<Array<Float32Array | undefined>> {
  const { tf, faceapi } = runtime;
  const { width, height } = image;
  // face-api declares its own copy of the tfjs types; the tensor is the same object at run time.
  const input = tf.tensor3d(image.data, [height, width, 3], 'int32') as unknown as FaceApi.tf.Tensor3D;
  try {
    const descriptors: Array<Float32Array | undefined> = [];
    for (const { box, score } of faces) descriptors.push(await describeOne(faceapi, input, width, height, box, score));
    return descriptors;
  } finally {
    input.dispose();
  }
}

async function describeOne(faceapi: FaceRuntime['faceapi'], input: FaceApi.tf.Tensor3D, width: number, height: number, box: FaceBox, score: number): Promise<Float32Array | undefined> {
  const rect = new faceapi.Rect(box.x, box.y, box.width, box.height).clipAtImageBorders(width, height);
  // FaceDetection takes its box relative to the image's size.
  const detection = new faceapi.FaceDetection(score, new faceapi.Rect(rect.x / width, rect.y / height, rect.width / width, rect.height / height), { width, height });
  if (detection.box.width <= 0 || detection.box.height <= 0) return undefined;
  const tensors: Array<{ dispose(): void }> = [];
  try {
    const [face] = await faceapi.extractFaceTensors(input, [detection]);
    if (!face) return undefined;
    tensors.push(face);
    const landmarks = (await faceapi.nets.faceLandmark68Net.detectLandmarks(face)) as FaceApi.FaceLandmarks68;
    const withLandmarks = faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, detection), landmarks);
    const [aligned] = await faceapi.extractFaceTensors(input, [withLandmarks.landmarks.align(null, { useDlibAlignment: true })]);
    if (!aligned) return undefined;
    tensors.push(aligned);
    const descriptor = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned)) as Float32Array;
    return Float32Array.from(descriptor);
  } finally {
    for (const t of tensors) t.dispose();
  }
}
