/**
 * The face engine's failures. A PhotoError or ProfileError is about the input (a photo that cannot be compared,
 * a profile picture without one clear face) and becomes a recorded reason; the others mean the engine itself
 * cannot run here.
 */

/** Why a photo could not be compared; `code` is for programs, `message` is the reason recorded for people. */
export type PhotoErrorCode =
  | 'unreadable-file'
  | 'bad-url'
  | 'host-not-allowed'
  | 'redirect-not-allowed'
  | 'too-many-redirects'
  | 'http-status'
  | 'network'
  | 'timeout'
  | 'too-large'
  | 'empty'
  | 'not-an-image'
  | 'unsupported-format'
  | 'truncated'
  | 'pixel-limit'
  | 'decode-memory'
  | 'undecodable';

export class PhotoError extends Error {
  override readonly name = 'PhotoError';
  constructor(
    readonly code: PhotoErrorCode,
    reason: string,
    /** The HTTP status, for 'http-status'. */
    readonly status?: number,
  ) {
    super(reason);
  }

  /**
   * Whether the same request may well succeed a moment later: a timeout, a broken connection, or a server that
   * says so (408, 429, 5xx). Anything else (404, not an image, a host not allowed, …) will fail again.
   */
  get transient(): boolean {
    if (this.code === 'timeout' || this.code === 'network') return true;
    const status = this.status ?? 0;
    return this.code === 'http-status' && (status === 408 || status === 429 || status >= 500);
  }
}

/** 'unavailable': the picture could not be fetched for now (a transient PhotoError); the others are lasting. */
export type ProfileErrorCode = 'no-face' | 'several-faces' | 'unreadable' | 'unavailable';

/**
 * The profile picture cannot identify the user: the job fails with this reason — unless the code is
 * 'unavailable', which a later try may get past. The message starts with "profile picture: " so that it reads
 * the same in a job's error and on the command line.
 */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(
    readonly code: ProfileErrorCode,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`profile picture: ${reason}`, { cause });
  }
}

/** The requested TensorFlow backend does not load (or another one already runs in this process). */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly requested: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The model files are missing or unreadable; says where they were looked for and how to get them. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    readonly weightsDir: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** Stored descriptor text that is not what the codec writes. */
export class DescriptorFormatError extends Error {
  override readonly name = 'DescriptorFormatError';
  constructor(expected: string, received: string) {
    super(`a descriptor must be ${expected}, got ${received}`);
  }
}
