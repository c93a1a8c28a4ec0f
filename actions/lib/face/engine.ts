/**
 * The face engine's one entry point: photos and profile pictures in, faces and descriptors out. It wires the
 * small modules beside it (backend, models, download, decode, detect, profile); callers never touch face-api.
 * The runtime and the models live in module scope, so every engine in a process shares one warm set.
 */
import type { FaceConfig, TfBackendName } from '../config';
import type { FaceBox } from '../types';
import { faceRuntime, type FaceRuntime } from './backend';
import { decodeImage, shrinkRegion, toOriginalBox, type DecodedImage } from './decode';
import { describeFace } from './describe';
import { checkDetectorOptions, countModelRun, DEFAULT_DETECTOR, detectBoxes, detectFaces, detectorSide, netsFor, type DetectorOptions } from './detect';
import { download } from './download';
import { PhotoError, ProfileError } from './errors';
import { defaultWeightsDir, ensureModels } from './models';
import { largestProfileVariant, pickProfileFace, PROFILE_PAD, severalFaces } from './profile';
import { suppress, tileLayout, TILE_OVERLAP, type ScoredBox, type Tile } from './tiles';

export interface EngineOptions {
  /** Unset: the fastest backend that loads. */
  backend?: TfBackendName;
  /** Unset: the project's weights/. */
  weightsDir?: string;
  detector?: Partial<DetectorOptions>;
  /** The whole-photo pass sees the photo shrunk to this longer side. */
  detectMaxSide: number;
  /**
   * The fine pass: square tiles, this many along the longer side (0 or 1: none), each run through
   * `tileDetector`; it finds the faces too small for the whole-photo pass.
   */
  detectTiles: number;
  /** Unset: the whole-photo pass's detector. */
  tileDetector?: Partial<DetectorOptions>;
  /** Photos are decoded at most this long (side): tiles and face crops come from these pixels. */
  decodeMaxSide: number;
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
  readonly tileDetector: DetectorOptions;
  /**
   * What produced a result: cached faces are only reused by an engine that would find the same ones (another
   * detector or size finds other faces, with other boxes).
   */
  readonly signature: string;

  constructor(readonly options: EngineOptions) {
    this.detector = { ...DEFAULT_DETECTOR, ...options.detector };
    this.tileDetector = { ...this.detector, ...options.tileDetector };
    checkDetectorOptions(this.detector);
    checkDetectorOptions(this.tileDetector);
    if (!(Number.isInteger(options.detectTiles) && options.detectTiles >= 0 && options.detectTiles <= 8)) throw new RangeError(`detectTiles must be a whole number from 0 to 8, got ${options.detectTiles}`);
    const name = ({ detector, inputSize, minConfidence }: DetectorOptions) => `${detector}${detector === 'tiny' ? inputSize : ''}-c${minConfidence}`;
    // v2: descriptors from crops of the decoded photo (v1, unnamed: from the shrunk whole photo).
    const tiles = options.detectTiles >= 2 ? `-t${options.detectTiles}o${TILE_OVERLAP}${name(this.tileDetector)}` : '';
    this.signature = `${name(this.detector)}-s${options.detectMaxSide}${tiles}-d${options.decodeMaxSide}-v2`;
  }

  static fromConfig(config: FaceConfig, detector?: Partial<DetectorOptions>, tileDetector?: Partial<DetectorOptions>): FaceEngine {
    return new FaceEngine({
      tileDetector,
      backend: config.tfBackend,
      weightsDir: config.weightsDir,
      detector,
      detectMaxSide: config.detectMaxSide,
      detectTiles: config.detectTiles,
      decodeMaxSide: config.decodeMaxSide,
      maxImagePixels: config.maxImagePixels,
      maxImageBytes: config.maxImageBytes,
      downloadTimeoutMs: config.downloadTimeoutMs,
      imageHosts: config.imageHosts,
    });
  }

  /** Loads the backend and this engine's models (once per process); a failure is retried on the next call. */
  async ready(): Promise<FaceRuntime> {
    const runtime = await faceRuntime(this.options.backend);
    await ensureModels(runtime, this.options.weightsDir ?? defaultWeightsDir(), netsFor(this.detector.detector, this.tileDetector.detector));
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

  private checkSize(bytes: Buffer): void {
    if (bytes.length > this.options.maxImageBytes) {
      throw new PhotoError('too-large', `the image is larger than the limit of ${this.options.maxImageBytes} bytes (see FINDME_MAX_IMAGE_BYTES)`);
    }
  }

  /** The profile picture's path: one pass over the (padded) picture shrunk to detectMaxSide. */
  private async detect(bytes: Buffer, pad: number, decodeTimeoutMs?: number): Promise<Faces> {
    this.checkSize(bytes);
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
  async photoFaces(bytes: Buffer, decodeTimeoutMs?: number): Promise<Faces> {
    this.checkSize(bytes);
    const image = await decodeImage(bytes, { maxPixels: this.options.maxImagePixels, maxSide: this.options.decodeMaxSide, timeoutMs: decodeTimeoutMs });
    const runtime = await this.ready();
    countModelRun();
    const found = suppress(await this.candidates(runtime, image));
    const faces: Face[] = [];
    for (const { box, score } of found) {
      const descriptor = await describeFace(runtime, image, box, score);
      if (descriptor) faces.push({ box: toOriginalBox(image, box), descriptor });
    }
    return { width: image.originalWidth, height: image.originalHeight, faces };
  }

  /**
   * How many detector passes a photo of this size (as decoded) takes: the whole photo, and each tile. A photo
   * costs this many detector runs whatever it shows, plus landmarks and a descriptor for each face found.
   */
  passes(width: number, height: number): number {
    return 1 + tileLayout(width, height, this.options.detectTiles, detectorSide(this.tileDetector)).length;
  }

  /** Every detection of the whole-photo pass and of the tiles, in pixels of `image`, duplicates included. */
  private async candidates(runtime: FaceRuntime, image: DecodedImage): Promise<ScoredBox[]> {
    const passes: Array<{ region: Tile | undefined; detector: DetectorOptions; scale: number }> = [{ region: undefined, detector: this.detector, scale: Math.min(1, this.options.detectMaxSide / Math.max(image.width, image.height)) }];
    const side = detectorSide(this.tileDetector);
    for (const tile of tileLayout(image.width, image.height, this.options.detectTiles, side)) {
      passes.push({ region: tile, detector: this.tileDetector, scale: Math.min(1, side / Math.max(tile.width, tile.height)) });
    }
    const found: ScoredBox[] = [];
    for (const { region, detector, scale } of passes) {
      const pixels = await shrinkRegion(image, scale, region);
      for (const { box, score } of await detectBoxes(runtime, pixels, detector)) {
        const x = (region?.left ?? 0) + box.x / scale;
        const y = (region?.top ?? 0) + box.y / scale;
        found.push({ box: { x, y, width: box.width / scale, height: box.height / scale }, score });
      }
    }
    return found;
  }

  /**
   * The engine before the fine pass (the stage benchmark's baseline): one pass over the photo shrunk to
   * detectMaxSide, descriptors from those shrunk pixels.
   */
  singlePassFaces(bytes: Buffer): Promise<Faces> {
    return this.detect(bytes, 0);
  }

  /**
   * The descriptor of the one face in a profile picture. Tight crops (the usual profile picture) are detected
   * on a padded canvas; a picture where that finds nothing is tried once more as it is, in case its face is small
   * (PROFILE_DETECTIONS: `decodeTimeoutMs` applies to each).
   */
  async profileDescriptor(bytes: Buffer, decodeTimeoutMs?: number): Promise<Float32Array> {
    return (await this.profileFace(bytes, decodeTimeoutMs)).descriptor;
  }

  /** The one face of a profile picture or reference photo, with its box (for the reference's thumbnail). */
  async profileFace(bytes: Buffer, decodeTimeoutMs?: number): Promise<Face> {
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
      return pickProfileFace(faces.faces);
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
