/**
 * The face engine's one entry point: photos and profile pictures in, faces and descriptors out. It wires the
 * small modules beside it (backend, models, download, decode, detect, profile); callers never touch face-api.
 * The runtime and the models live in module scope, so every engine in a process shares one warm set.
 */
import type { FaceConfig, TfBackendName } from '../config';
import type { FaceBox } from '../types';
import { faceRuntime, type FaceRuntime } from './backend';
import { decodeImage, toOriginalBox } from './decode';
import { checkDetectorOptions, DEFAULT_DETECTOR, detectFaces, netsFor, type DetectorOptions } from './detect';
import { download } from './download';
import { PhotoError, ProfileError } from './errors';
import { defaultWeightsDir, ensureModels } from './models';
import { largestProfileVariant, pickProfileFace, PROFILE_PAD, severalFaces } from './profile';

export interface EngineOptions {
  /** Unset: the fastest backend that loads. */
  backend?: TfBackendName;
  /** Unset: the project's weights/. */
  weightsDir?: string;
  detector?: Partial<DetectorOptions>;
  detectMaxSide: number;
  maxImagePixels: number;
  maxImageBytes: number;
  downloadTimeoutMs: number;
  imageHosts: readonly string[];
}

export interface Face {
  /** In pixels of the upright original image. */
  box: FaceBox;
  descriptor: Float32Array;
}

export interface Faces {
  width: number;
  height: number;
  faces: Face[];
}

export class FaceEngine {
  readonly detector: DetectorOptions;
  /**
   * What produced a result: cached faces are only reused by an engine that would find the same ones (another
   * detector or size finds other faces, with other boxes).
   */
  readonly signature: string;

  constructor(readonly options: EngineOptions) {
    this.detector = { ...DEFAULT_DETECTOR, ...options.detector };
    checkDetectorOptions(this.detector);
    const { detector, inputSize, minConfidence } = this.detector;
    this.signature = `${detector}${detector === 'tiny' ? inputSize : ''}-c${minConfidence}-s${options.detectMaxSide}`;
  }

  static fromConfig(config: FaceConfig, detector?: Partial<DetectorOptions>): FaceEngine {
    return new FaceEngine({
      backend: config.tfBackend,
      weightsDir: config.weightsDir,
      detector,
      detectMaxSide: config.detectMaxSide,
      maxImagePixels: config.maxImagePixels,
      maxImageBytes: config.maxImageBytes,
      downloadTimeoutMs: config.downloadTimeoutMs,
      imageHosts: config.imageHosts,
    });
  }

  /** Loads the backend and this engine's models (once per process); a failure is retried on the next call. */
  async ready(): Promise<FaceRuntime> {
    const runtime = await faceRuntime(this.options.backend);
    await ensureModels(runtime, this.options.weightsDir ?? defaultWeightsDir(), netsFor(this.detector.detector));
    return runtime;
  }

  /** An image from an allowed host; `timeoutMs` may shorten the configured timeout (an action's deadline). */
  download(url: string, timeoutMs = this.options.downloadTimeoutMs): Promise<Buffer> {
    return download(url, {
      hosts: this.options.imageHosts,
      timeoutMs: Math.min(timeoutMs, this.options.downloadTimeoutMs),
      maxBytes: this.options.maxImageBytes,
    });
  }

  private async detect(bytes: Buffer, pad: number, decodeTimeoutMs?: number): Promise<Faces> {
    if (bytes.length > this.options.maxImageBytes) {
      throw new PhotoError('too-large', `the image is larger than the limit of ${this.options.maxImageBytes} bytes (see FINDME_MAX_IMAGE_BYTES)`);
    }
    const image = await decodeImage(bytes, { maxPixels: this.options.maxImagePixels, maxSide: this.options.detectMaxSide, pad, timeoutMs: decodeTimeoutMs });
    const runtime = await this.ready();
    const found = await detectFaces(runtime, image, this.detector);
    return {
      width: image.originalWidth,
      height: image.originalHeight,
      faces: found.map((face) => ({ box: toOriginalBox(image, face.box), descriptor: face.descriptor })),
    };
  }

  /**
   * Every face in a photo; a PhotoError when the bytes are not a usable image. `decodeTimeoutMs` may shorten the
   * decode's timeout (an action's deadline).
   */
  photoFaces(bytes: Buffer, decodeTimeoutMs?: number): Promise<Faces> {
    return this.detect(bytes, 0, decodeTimeoutMs);
  }

  /**
   * The descriptor of the one face in a profile picture. Tight crops (the usual profile picture) are detected
   * on a padded canvas; a picture where that finds nothing is tried once more as it is, in case its face is small
   * (PROFILE_DETECTIONS: `decodeTimeoutMs` applies to each).
   */
  async profileDescriptor(bytes: Buffer, decodeTimeoutMs?: number): Promise<Float32Array> {
    let faces: Faces;
    let padded = true;
    try {
      faces = await this.detect(bytes, PROFILE_PAD, decodeTimeoutMs);
      if (faces.faces.length === 0) {
        faces = await this.detect(bytes, 0, decodeTimeoutMs);
        padded = false;
      }
    } catch (error) {
      throw profileError(error, 'cannot be read');
    }
    try {
      return pickProfileFace(faces.faces).descriptor;
    } catch (error) {
      if (!(error instanceof ProfileError) || error.code !== 'several-faces' || !padded) throw error;
      // Padding shrinks a group's faces, and the smallest vanish: the picture as it is counts them right.
      const plain = await this.detect(bytes, 0, decodeTimeoutMs).catch(() => faces);
      throw severalFaces(Math.max(faces.faces.length, plain.faces.length));
    }
  }

  /**
   * The profile picture at `pictureUrl`, in its largest variant. A failure is a ProfileError: 'unavailable'
   * when trying again may help (timeout, network, 408/429/5xx), else 'unreadable'.
   */
  async downloadProfile(pictureUrl: string, timeoutMs?: number): Promise<Buffer> {
    try {
      return await this.download(largestProfileVariant(pictureUrl), timeoutMs);
    } catch (error) {
      throw profileError(error, 'cannot be downloaded');
    }
  }
}

/** A PhotoError on the profile picture as the ProfileError it means for the job; anything else unchanged. */
function profileError(error: unknown, what: string): unknown {
  if (!(error instanceof PhotoError)) return error;
  return new ProfileError(error.transient ? 'unavailable' : 'unreadable', `${what}: ${error.message}`, error);
}
