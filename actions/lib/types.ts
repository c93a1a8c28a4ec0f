/**
 * Every shape that crosses a boundary — trigger events, Redis records, HTTP bodies — is defined here once and
 * imported everywhere else.
 */

// ---- Trigger events ------------------------------------------------------------------------------------------

/** Fired by register_search on `search_request`; twitter_search reads the rest from the job record. */
export interface SearchRequestEvent {
  jobId: string;
}

/** One photo of one post. */
export interface PhotoRef {
  tweetId: string;
  tweetUrl: string;
  imageUrl: string;
}

export const TWEET_IMAGE_TRIGGER = 'tweet_image';

/** Fired by twitter_search on `tweet_image`: a batch of photos (one event per photo would hit fire limits). */
export interface TweetImageEvent {
  jobId: string;
  photos: PhotoRef[];
  /** The outstanding batch this delivers (absent in events fired before batches were recorded). */
  batchId?: string;
}

// ---- Redis records -------------------------------------------------------------------------------------------

/**
 * queued → searching → comparing → done; any non-terminal state may end in failed, always with an `error` (a job
 * with no progress for FINDME_JOB_STALL_S fails with a "stalled: …" error), so no job waits forever.
 */
export const JOB_STATUSES = ['queued', 'searching', 'comparing', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['done', 'failed'];

export interface JobRecord {
  id: string;
  /** The identity provider's subject (`sub`) of the user who asked. */
  owner: string;
  hashtag: string;
  /** The owner's profile picture, from the verified identity. */
  pictureUrl: string;
  status: JobStatus;
  /** Milliseconds since the epoch. */
  created: number;
  /** Last time anything moved (for stall detection). */
  updated: number;
  /** Photos found; final once `searchDone`. */
  total: number;
  searchDone: boolean;
  processed: number;
  failed: number;
  matched: number;
  error?: string;
  /** Why the search read fewer posts than the hashtag has (the post limit, the activation's time), if it did. */
  searchNote?: string;
}

/** A batch of photos fired on `tweet_image` and not yet settled, as the sweeper keeps it to deliver it again. */
export interface BatchRecord {
  photos: PhotoRef[];
  /** photoHash of each photo, in the same order (Lua checks them against the recorded set). */
  hashes: string[];
  /** Deliveries after the first. */
  attempts: number;
}

/** A face's box in pixels of the upright (EXIF-rotated) original image. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MatchRecord {
  tweetId: string;
  tweetUrl: string;
  imageUrl: string;
  box: FaceBox;
  /** Euclidean distance between the face and the profile face; smaller is more alike. */
  distance: number;
  imageWidth: number;
  imageHeight: number;
}

/** Why a photo could not be checked (download, format, size, …). */
export interface FailureRecord {
  tweetUrl: string;
  imageUrl: string;
  reason: string;
}

/** A photo's faces as cached by URL hash: a photo seen before costs no model run. */
export interface PhotoFaces {
  width: number;
  height: number;
  faces: Array<{ box: FaceBox; descriptor: string /* hex of Float32Array bytes */ }>;
}

// ---- HTTP bodies of the web actions --------------------------------------------------------------------------

export interface RegisterSearchRequest {
  hashtag: string;
}

export interface RegisterSearchResponse {
  jobId: string;
}

/** The job's progress as its owner may see it (not its owner or picture), plus what is new. */
export interface SearchStatusResponse extends Pick<JobRecord, 'status' | 'hashtag' | 'total' | 'searchDone' | 'processed' | 'failed' | 'matched' | 'error' | 'searchNote'> {
  /** Matches newer than the request's `after` cursor, newest first. */
  matches: MatchRecord[];
  /** Pass as `after` to get only what is new. */
  cursor: string;
  /** The first photos that could not be checked, and why (at most 50 kept per job). */
  failures: FailureRecord[];
  /** Photos whose batch was lost on its way and is being delivered again (absent when none). */
  retrying?: number;
}

export interface ErrorBody {
  error: string;
}

/** What the page server serves at /config.json: one page build serves any tenant and deployment. */
export interface PageConfig {
  /** Base of the web actions, e.g. `https://ow.example.com/api/v1/web/guest/findme`. */
  apiBase: string;
  auth0: { domain: string; clientId: string; audience: string };
  /** A hashtag that has photos in the local demo, shown as a hint. */
  demoHashtag?: string;
}
