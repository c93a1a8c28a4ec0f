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
  | 'undecodable';

export class PhotoError extends Error {
  override readonly name = 'PhotoError';
  constructor(
    readonly code: PhotoErrorCode,
    reason: string,
  ) {
    super(reason);
  }
}

export type ProfileErrorCode = 'no-face' | 'several-faces' | 'unreadable';

/**
 * The profile picture cannot identify the user: the job fails with this reason. The message starts with
 * "profile picture: " so that it reads the same in a job's error and on the command line.
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
