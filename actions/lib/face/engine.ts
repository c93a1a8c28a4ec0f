/**
 * The face engine's one entry point: photos and profile pictures in, faces and descriptors out. It wires the
 * small modules beside it (backend, models, download, decode, detect, profile); callers never touch face-api.
 * The runtime and the models live in module scope, so every engine in a process shares one warm set.
 */
import { FINE_PASSES, type FaceConfig, type FinePass, type TfBackendName } from '../config';
import type { FaceBox } from '../types';
import { faceRuntime, type FaceRuntime } from './backend';
import { decodeImage, shrinkRegion, toOriginalBox, type DecodedImage } from './decode';
import { describeFace } from './describe';
import { SSD_INPUT_SIDE } from './ssd';
import { checkDetectorOptions, countModelRun, DEFAULT_DETECTOR, detectBoxes, detectFaces, detectorSide, netsFor, type DetectorOptions } from './detect';
import { download } from './download';
import { PhotoError, ProfileError } from './errors';
import { defaultWeightsDir, ensureModels } from './models';
import { largestProfileVariant, pickProfileFace, PROFILE_PAD, severalFaces } from './profile';
import { CHECK_WINDOW_WIDTHS, checkWindows, coverTiles, CROWD_CHECK_WINDOWS, CROWD_MIN_SCORE, MAX_CHECK_WINDOWS, notIn, refineTiles, suppress, tileLayout, tilesAcross, TILE_OVERLAP, type ScoredBox, type Tile } from './tiles';

/**
 * The cascade's cheap first pass on each tile: the Tiny detector at a low threshold, since a face it misses here
 * is never looked for again (recall matters, its false candidates only cost an SSD pass on their tile).
 */
export const CASCADE_DETECTOR: Readonly<DetectorOptions> = Object.freeze({ detector: 'tiny', inputSize: 416, minConfidence: 0.2 });

/**
 * The windows pass's proposer: Tiny at a very low score over tiles of the photo, each seen at PROPOSE_SCALE. It
 * needs a face ≈ 25–30 px wide at its input, so at 0.85 it sees most faces from 32 px (at 0.7, few under 40); its
 * many false boxes cost only a check window each, and there are at most MAX_CHECK_WINDOWS of those, the strongest
 * first. So the score only decides how far down a photo with few candidates looks: a 32 px face pasted from a
 * tight crop was often the photo's strongest proposal at 0.008–0.03, and the check confirmed it (0.58–0.90). At
 * 0.01 the engine finds and at least half-recognises 93.8 % of 32 px faces on the sample it was chosen on, 81.3 %
 * held out (0.05: 81.3 / 56.3 %), for ≈ 0.3 more windows a composite and 8 more on a demo photo; 0.005 found more
 * but cost over 2.5× the single pass in a cell of each sample (bench/README.md#stage, 2026-12-07 22:56 and 23:05).
 * The tiles are at most inputSize px on a side at that scale (3 × 2 of 610 × 685 at 2048 × 1536): the largest pass
 * sets a container's memory for good (the WASM heap never shrinks; Tiny 1024 over a whole photo took one to
 * 827 MB), so the photo is cut rather than seen in one pass.
 */
export const PROPOSE_DETECTOR: Readonly<DetectorOptions> = Object.freeze({ detector: 'tiny', inputSize: 768, minConfidence: 0.01 });
/**
 * The proposer's scale (bench/README.md#stage, 2026-12-07 17:01, with the whole-photo gate and the proposer's score
 * at 0.05, then the default; at 0.01 see PROPOSE_DETECTOR): at 0.85 the engine
 * finds and at least half-recognises (sure + maybe) 81.3 % of 32 px faces on the sample it was chosen on (56.3 %
 * held out), against 50 / 43.8 % at 0.8 and 43.8 / 25 % at 0.7, and every 48 px face there (93.8 % held out), for
 * 2.1–2.3× the single pass's time (0.8: 1.8–2.0×; 0.7: 1.4–1.5×). 0.7 was the default before the gate, when SSD
 * on every photo left no time for more.
 */
export const PROPOSE_SCALE = 0.85;
/**
 * The proposer's tiles: `own`, tiles of the photo's own shape seen at the proposer's scale, at most inputSize
 * px on a side (the Tiny net is fully convolutional: a 4 : 3 photo's tiles cost no square of padding);
 * `square`, face-api's input (each tile square, scaled to inputSize), the windows pass until 2026-12-07 (Tiny 512
 * at 0.5), kept for the stage benchmark's comparison.
 */
export const PROPOSE_TILE_SHAPES = ['square', 'own'] as const;
export type ProposeTiles = (typeof PROPOSE_TILE_SHAPES)[number];
export const PROPOSE_TILES: ProposeTiles = 'own';
/**
 * Overlap of the proposer's tiles, less than the grid's: every point of the photo is still in a tile with a margin
 * of ≈ 50 px at 2048 px, and fewer pixels are seen twice (with square tiles, 0.15 left 2 × 2 of Tiny 512 seeing
 * the photo at 0.43, which found 62.5 % of 64 px faces against 0.05's 93.8 %).
 */
export const PROPOSE_OVERLAP = 0.05;
/**
 * …at most this many tiles along a side, which bounds its cost on the largest photos: 4 × 4 at 4032 × 3024 and
 * 4096 × 4096, each seen at ≈ 0.73 instead of PROPOSE_SCALE; a larger photo's tiles are seen smaller.
 */
export const MAX_PROPOSE_ACROSS = 4;
/**
 * The whole-photo pass of the windows fine pass keeps SSD's detections down to this score: those under the
 * detector's own threshold are not faces yet, but candidates for a check window (SSD often sees a small face
 * weakly where it cannot be sure).
 */
export const PROPOSE_MIN_SCORE = 0.1;
/**
 * The check on each window: Tiny at a small input sees the window (CHECK_WINDOW_WIDTHS candidate widths) with the
 * face at ≈ 75 px (less when the candidate's box is loose), at its usual threshold; it decides whether a candidate
 * is a face, and the face's box.
 */
export const CHECK_DETECTOR: Readonly<DetectorOptions> = Object.freeze({ detector: 'tiny', inputSize: 224, minConfidence: 0.5 });
/**
 * A candidate this wide or wider as the whole-photo pass sees it (at its detector's input) gets no check window:
 * SSD finds a face of that size surely (at 24 px it already finds about half, bench/README.md#stage), so one it
 * did not find is no small face but a loose proposal, and a check window CHECK_WINDOW_WIDTHS of its sides across
 * sees whatever face-like thing is in a large part of the photo. The windows pass is for the faces too small for
 * that pass.
 */
export const CHECK_MAX_WHOLE_SIDE = 48;
/**
 * The windows pass's gate on its whole-photo pass. SSD over the whole photo (≈ 350 ms, as much as four proposer
 * tiles) is there for faces too large for the check windows, CHECK_MAX_WHOLE_SIDE px or more at its input
 * (≈ 190 px at 2048 px); a photo from the audience usually has none. So it runs only when the proposer or this
 * Tiny pass over the whole photo (at the whole-photo pass's shrink; a face larger than a proposer tile is whole
 * here) saw a box that large scoring GATE_MIN_SCORE or more. On every photo larger than 640 px of
 * ../shared/faces and the six demo photos (19) it opened, and the faces were those of SSD on every photo, bit
 * for bit; their large boxes' best scores were 0.68–0.999, a textured scene's large false proposals 0.06
 * (bench/README.md#stage, 2026-12-07).
 */
export const GATE_DETECTOR: Readonly<DetectorOptions> = Object.freeze({ detector: 'tiny', inputSize: 416, minConfidence: 0.05 });
/** …and only a box scoring this much opens the gate. */
export const GATE_MIN_SCORE = 0.3;
/** The gate's side (EngineOptions.wholeGate): CHECK_MAX_WHOLE_SIDE, the faces the check windows leave to SSD. */
export const WHOLE_GATE = CHECK_MAX_WHOLE_SIDE;

export interface EngineOptions {
  /** Unset: the fastest backend that loads. */
  backend?: TfBackendName;
  /** Unset: the project's weights/. */
  weightsDir?: string;
  detector?: Partial<DetectorOptions>;
  /** The whole-photo pass sees the photo shrunk to this longer side. */
  detectMaxSide: number;
  /**
   * The fine pass, for the faces too small for the whole-photo pass: off; `tileDetector` on every tile; or a
   * cascade, `cascadeDetector` on every tile and `tileDetector` only on the tiles where it saw a new candidate;
   * or windows, `proposeDetector` over the photo and `checkDetector` on a window around each new candidate.
   */
  detectFine: FinePass;
  /** Square tiles of the fine pass, this many along the longer side (0: by photo size, TILE_TARGET_SIDE). */
  detectTiles: number;
  /** Unset: TILE_OVERLAP. */
  tileOverlap?: number;
  /** Unset: PROPOSE_OVERLAP. */
  proposeOverlap?: number;
  /** Unset: PROPOSE_SCALE. */
  proposeScale?: number;
  /** Unset: PROPOSE_TILES. */
  proposeTiles?: ProposeTiles;
  /** Unset: the whole-photo pass's detector. */
  tileDetector?: Partial<DetectorOptions>;
  /** Unset: CASCADE_DETECTOR. */
  cascadeDetector?: Partial<DetectorOptions>;
  /** Unset: PROPOSE_DETECTOR. */
  proposeDetector?: Partial<DetectorOptions>;
  /** Unset: CHECK_DETECTOR. */
  checkDetector?: Partial<DetectorOptions>;
  /** Unset: CHECK_WINDOW_WIDTHS. */
  checkWindowWidths?: number;
  /**
   * The windows pass runs its whole-photo pass only when the gate or the proposer saw a box this wide at the
   * whole-photo pass's input (see GATE_DETECTOR); unset: WHOLE_GATE; 0: on every photo.
   */
  wholeGate?: number;
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
  readonly cascadeDetector: DetectorOptions;
  readonly proposeDetector: DetectorOptions;
  readonly checkDetector: DetectorOptions;
  private readonly tileOverlap: number;
  private readonly proposeOverlap: number;
  private readonly proposeScale: number;
  private readonly proposeTiles: ProposeTiles;
  private readonly checkWidths: number;
  private readonly wholeGate: number;
  /**
   * What produced a result: cached faces are only reused by an engine that would find the same ones (another
   * detector or size finds other faces, with other boxes).
   */
  readonly signature: string;

  constructor(readonly options: EngineOptions) {
    this.detector = { ...DEFAULT_DETECTOR, ...options.detector };
    this.tileDetector = { ...this.detector, ...options.tileDetector };
    this.cascadeDetector = { ...CASCADE_DETECTOR, ...options.cascadeDetector };
    this.proposeDetector = { ...PROPOSE_DETECTOR, ...options.proposeDetector };
    this.checkDetector = { ...CHECK_DETECTOR, ...options.checkDetector };
    this.tileOverlap = options.tileOverlap ?? TILE_OVERLAP;
    this.proposeOverlap = options.proposeOverlap ?? PROPOSE_OVERLAP;
    this.proposeScale = options.proposeScale ?? PROPOSE_SCALE;
    this.proposeTiles = options.proposeTiles ?? PROPOSE_TILES;
    this.checkWidths = options.checkWindowWidths ?? CHECK_WINDOW_WIDTHS;
    this.wholeGate = options.wholeGate ?? WHOLE_GATE;
    if (!(this.wholeGate >= 0 && this.wholeGate <= SSD_INPUT_SIDE)) throw new RangeError(`wholeGate must be from 0 to ${SSD_INPUT_SIDE}, got ${this.wholeGate}`);
    if (!(this.checkWidths >= 1 && this.checkWidths <= 8)) throw new RangeError(`checkWindowWidths must be from 1 to 8, got ${this.checkWidths}`);
    if (!(this.proposeScale > 0 && this.proposeScale <= 1)) throw new RangeError(`proposeScale must be over 0 and at most 1, got ${this.proposeScale}`);
    if (!PROPOSE_TILE_SHAPES.includes(this.proposeTiles)) throw new RangeError(`proposeTiles must be one of ${PROPOSE_TILE_SHAPES.join(', ')}, got "${String(this.proposeTiles)}"`);
    for (const d of [this.detector, this.tileDetector, this.cascadeDetector, this.proposeDetector, this.checkDetector]) checkDetectorOptions(d);
    if (!(Number.isInteger(options.detectTiles) && options.detectTiles >= 0 && options.detectTiles <= 8)) throw new RangeError(`detectTiles must be a whole number from 0 to 8, got ${options.detectTiles}`);
    for (const [key, overlap] of [['tileOverlap', this.tileOverlap], ['proposeOverlap', this.proposeOverlap]] as const) {
      if (!(overlap >= 0 && overlap < 0.5)) throw new RangeError(`${key} must be from 0 to under 0.5, got ${overlap}`);
    }
    if (!FINE_PASSES.includes(options.detectFine)) throw new RangeError(`detectFine must be one of ${FINE_PASSES.join(', ')}, got "${String(options.detectFine)}"`);
    const name = ({ detector, inputSize, minConfidence }: DetectorOptions) => `${detector}${detector === 'tiny' ? inputSize : ''}-c${minConfidence}`;
    // v2: descriptors from crops of the decoded photo (v1, unnamed: from the shrunk whole photo). The fine pass
    // off leaves the signature as it was, so the default's cache stays valid; t0 is the grid by photo size; c2:
    // a check window covers only candidates no smaller than its own (tiles.ts checkWindows); m: no window for a
    // candidate CHECK_MAX_WHOLE_SIDE or wider as the whole-photo pass sees it; f: a check window's width in its
    // candidate's sides (4 until 2026-12-07, unnamed); +36s0.3: the crowd's windows (tiles.ts CROWD_CHECK_WINDOWS).
    const grid = `-t${options.detectTiles}o${this.tileOverlap}${name(this.tileDetector)}`;
    // `own` tiles see other pixels than square ones at the same scale: their faces are not the square's.
    const windows = `-p${PROPOSE_MIN_SCORE}w${name(this.proposeDetector)}x${this.proposeScale}${this.proposeTiles === 'own' ? 'r' : ''}a${MAX_PROPOSE_ACROSS}o${this.proposeOverlap}-k${name(this.checkDetector)}n${MAX_CHECK_WINDOWS}+${CROWD_CHECK_WINDOWS}s${CROWD_MIN_SCORE}c2m${CHECK_MAX_WHOLE_SIDE}f${this.checkWidths}${this.wholeGate ? `-g${this.wholeGate}s${GATE_MIN_SCORE}${name(GATE_DETECTOR)}` : ''}`;
    const tiles = { off: '', ssd: grid, cascade: `${grid}-q${name(this.cascadeDetector)}`, windows }[options.detectFine];
    this.signature = `${name(this.detector)}-s${options.detectMaxSide}${tiles}-d${options.decodeMaxSide}-v2`;
  }

  static fromConfig(config: FaceConfig, detector?: Partial<DetectorOptions>, tileDetector?: Partial<DetectorOptions>): FaceEngine {
    return new FaceEngine({
      tileDetector,
      backend: config.tfBackend,
      weightsDir: config.weightsDir,
      detector,
      detectMaxSide: config.detectMaxSide,
      detectFine: config.detectFine,
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
    await ensureModels(runtime, this.options.weightsDir ?? defaultWeightsDir(), netsFor(...this.detectors()));
    return runtime;
  }

  /** The detectors this engine runs: only their models are loaded. */
  private detectors(): DetectorOptions['detector'][] {
    const windows = [this.proposeDetector, this.checkDetector, ...(this.wholeGate ? [GATE_DETECTOR] : [])];
    const fine = { off: [], ssd: [this.tileDetector], cascade: [this.tileDetector, this.cascadeDetector], windows }[this.options.detectFine];
    return [this.detector, ...fine].map((d) => d.detector);
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
   * The fine pass's tiles for a photo of this size (as decoded): the detector's tiles, or the windows pass's
   * proposer tiles (none when the whole photo fits the proposer at PROPOSE_SCALE); none when the fine pass is off.
   */
  tiles(width: number, height: number): Tile[] {
    if (this.options.detectFine === 'off') return [];
    if (this.options.detectFine === 'windows') {
      const side = detectorSide(this.proposeDetector);
      if (this.proposeTiles === 'own') return coverTiles(width, height, side / this.proposeScale, this.proposeOverlap, MAX_PROPOSE_ACROSS);
      const across = Math.min(MAX_PROPOSE_ACROSS, Math.ceil((Math.max(width, height) * this.proposeScale) / side));
      return tileLayout(width, height, across, 0, this.proposeOverlap);
    }
    return tileLayout(width, height, tilesAcross(width, height, this.options.detectTiles), detectorSide(this.tileDetector), this.tileOverlap);
  }

  /**
   * The most detector passes a photo of this size (as decoded) takes: the whole photo, and each tile (twice in
   * the cascade, which runs the expensive detector on as few of them as it can). A photo costs at most this
   * many detector runs whatever it shows, plus landmarks and a descriptor for each face found.
   */
  passes(width: number, height: number): number {
    if (this.options.detectFine === 'windows') return this.seenWhole(width, height) ? 1 : 1 + (this.wholeGate ? 1 : 0) + Math.max(1, this.tiles(width, height).length) + MAX_CHECK_WINDOWS + CROWD_CHECK_WINDOWS;
    return 1 + this.tiles(width, height).length * (this.options.detectFine === 'cascade' ? 2 : 1);
  }

  /** Every detection of the whole-photo pass and of the fine pass, in pixels of `image`, duplicates included. */
  private async candidates(runtime: FaceRuntime, image: DecodedImage): Promise<ScoredBox[]> {
    if (this.options.detectFine === 'windows' && !this.seenWhole(image.width, image.height)) return this.windowsCandidates(runtime, image);
    const found = await this.pass(runtime, image, undefined, this.detector);
    const tiles = this.tiles(image.width, image.height);
    let chosen = tiles;
    if (this.options.detectFine === 'cascade') {
      const seen: ScoredBox[] = [];
      for (const tile of tiles) seen.push(...(await this.pass(runtime, image, tile, this.cascadeDetector)));
      chosen = refineTiles(tiles, seen, found);
    }
    for (const tile of chosen) found.push(...(await this.pass(runtime, image, tile, this.tileDetector)));
    return found;
  }

  /**
   * A photo no larger than the whole-photo pass's input is seen at full size by it: the windows pass would only
   * look again at the same pixels (and cost a Tiny 1024 pass on a thumbnail).
   */
  private seenWhole(width: number, height: number): boolean {
    return Math.max(width, height) <= this.options.detectMaxSide;
  }

  /**
   * The windows fine pass: the proposer over the photo (or its tiles); the whole-photo pass down to
   * PROPOSE_MIN_SCORE (its sure detections are faces, its weak ones candidates) when the gate opens (GATE_DETECTOR);
   * then the check detector on a window around each candidate no sure detection covers. At most passes() detector
   * runs, whatever the photo shows.
   */
  private async windowsCandidates(runtime: FaceRuntime, image: DecodedImage): Promise<ScoredBox[]> {
    const side = detectorSide(this.proposeDetector);
    const tiles = this.tiles(image.width, image.height);
    const proposed: ScoredBox[] = [];
    for (const region of tiles.length ? tiles : [undefined]) {
      if (this.proposeTiles === 'square') proposed.push(...(await this.pass(runtime, image, region, this.proposeDetector, side)));
      else {
        const { width, height } = region ?? image;
        proposed.push(...(await this.passAt(runtime, image, region, this.proposeDetector, Math.min(this.proposeScale, side / Math.max(width, height)), true)));
      }
    }
    const wholeScale = detectorSide(this.detector) / Math.max(image.width, image.height);
    const atWhole = ({ box }: ScoredBox) => Math.max(box.width, box.height) * wholeScale;
    const found: ScoredBox[] = [];
    const large = (d: ScoredBox) => d.score >= GATE_MIN_SCORE && atWhole(d) >= this.wholeGate;
    if (!this.wholeGate || proposed.some(large) || (await this.pass(runtime, image, undefined, GATE_DETECTOR)).some(large)) {
      const whole = await this.pass(runtime, image, undefined, { ...this.detector, minConfidence: Math.min(this.detector.minConfidence, PROPOSE_MIN_SCORE) });
      found.push(...whole.filter((d) => d.score >= this.detector.minConfidence));
      proposed.push(...whole.filter((d) => d.score < this.detector.minConfidence));
    }
    const sure = [...found];
    const small = proposed.filter((d) => atWhole(d) < CHECK_MAX_WHOLE_SIDE);
    for (const window of checkWindows(image.width, image.height, small, sure, { widths: this.checkWidths })) {
      // A window's edge can cut a sure face: the check's partial box of it must not outscore SSD's whole one in NMS.
      found.push(...notIn(await this.pass(runtime, image, window, this.checkDetector, detectorSide(this.checkDetector), true), sure));
    }
    return found;
  }

  /**
   * One detector pass over a tile (or the whole photo, shrunk to detectMaxSide unless `side` says otherwise), its
   * input no larger than `side` (the detector's own for a tile); `upscale` lets a small window grow to `side`, so
   * its face reaches the detector at a size it sees. Boxes in pixels of `image`.
   */
  private async pass(runtime: FaceRuntime, image: DecodedImage, region: Tile | undefined, detector: DetectorOptions, side = region ? detectorSide(detector) : this.options.detectMaxSide, upscale = false): Promise<ScoredBox[]> {
    const fit = side / Math.max(region?.width ?? image.width, region?.height ?? image.height);
    return this.passAt(runtime, image, region, detector, upscale ? fit : Math.min(1, fit));
  }

  /** One detector pass over a region of `image` resized by `scale` (`ownSize`: see detectBoxes); boxes in pixels of `image`. */
  private async passAt(runtime: FaceRuntime, image: DecodedImage, region: Tile | undefined, detector: DetectorOptions, scale: number, ownSize = false): Promise<ScoredBox[]> {
    const pixels = await shrinkRegion(image, scale, region);
    return (await detectBoxes(runtime, pixels, detector, ownSize)).map(({ box, score }) => ({
      box: { x: (region?.left ?? 0) + box.x / scale, y: (region?.top ?? 0) + box.y / scale, width: box.width / scale, height: box.height / scale },
      score,
    }));
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
