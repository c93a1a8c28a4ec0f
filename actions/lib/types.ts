/**
 * Every shape that crosses a boundary — trigger events, Redis records, HTTP bodies — is defined here once and
 * imported everywhere else; a shape read from outside has its parser beside it. Parsers are plain functions, no
 * schema library: the shapes are few and flat, and the actions' bundles and the page carry no extra code.
 */
import { parseHashtag } from './hashtag';

/** A shape read from outside that does not parse; the message names the field. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

/** A record as it arrives (event parameters, a parsed JSON body). */
type Fields = Record<string, unknown>;

function nonEmptyText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new WireError(`${field} must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function fieldsOf(value: unknown): Fields {
  return (typeof value === 'object' && value !== null ? value : {}) as Fields;
}

/** Stored JSON as fields; `where` names it in the error. */
function jsonFieldsOf(json: string, where: string): Fields {
  try {
    return fieldsOf(JSON.parse(json));
  } catch {
    throw new WireError(`${where} is not JSON`);
  }
}

// ---- Trigger events ------------------------------------------------------------------------------------------

/** Fired by register_search on `search_request`; twitter_search reads the rest from the job record. */
export interface SearchRequestEvent {
  jobId: string;
}

export function parseSearchRequestEvent(params: Fields): SearchRequestEvent {
  return { jobId: nonEmptyText(params.jobId, 'jobId') };
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

/** Largest batch a tweet_image event may carry; twitter_search sends FINDME_PHOTOS_PER_EVENT (at most this). */
export const MAX_PHOTOS_PER_EVENT = 100;

export function parseTweetImageEvent(params: Fields): TweetImageEvent {
  const jobId = nonEmptyText(params.jobId, 'jobId');
  const photos = params.photos;
  if (!Array.isArray(photos) || photos.length === 0 || photos.length > MAX_PHOTOS_PER_EVENT) {
    throw new WireError(`photos must be a list of 1 to ${MAX_PHOTOS_PER_EVENT} photos, got ${Array.isArray(photos) ? `${photos.length}` : JSON.stringify(photos) ?? 'nothing'}`);
  }
  const batchId = params.batchId === undefined ? undefined : nonEmptyText(params.batchId, 'batchId');
  return { jobId, photos: photos.map((photo: unknown, i) => photoRefOf(photo, `photos[${i}]`)), ...(batchId ? { batchId } : {}) };
}

function photoRefOf(photo: unknown, field: string): PhotoRef {
  const p = fieldsOf(photo);
  return { tweetId: nonEmptyText(p.tweetId, `${field}.tweetId`), tweetUrl: nonEmptyText(p.tweetUrl, `${field}.tweetUrl`), imageUrl: nonEmptyText(p.imageUrl, `${field}.imageUrl`) };
}

// ---- Redis records -------------------------------------------------------------------------------------------

/**
 * queued → searching → comparing → done; any non-terminal state may end in failed, always with an `error` (a job
 * with no progress for FINDME_JOB_STALL_S fails with a "stalled: …" error), so no job waits forever; or in
 * cancelled, by its owner (the photos not yet checked are skipped, what was found stays).
 */
export const JOB_STATUSES = ['queued', 'searching', 'comparing', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** The statuses a job never leaves; the Lua scripts get the same list (store/scripts/index.ts). */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

/** Whether the job has finished: the one test of it in TypeScript. */
export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** A job id as the store makes them (a UUID): anything else cannot name a job, so it is not looked up. */
export function isJobId(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
}

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
  /** Photos with a sure match. */
  matched: number;
  /** Photos with a maybe, for the owner to review (absent: none). */
  maybe?: number;
  error?: string;
  /** Why the search read fewer posts than the hashtag has (the post limit, the activation's time), if it did. */
  searchNote?: string;
}

/** A job's Redis hash as a JobRecord (null when the hash is empty: no such job). */
export function parseJobRecord(jobId: string, hash: Record<string, string>): JobRecord | null {
  if (Object.keys(hash).length === 0) return null;
  const status = hash.status as JobStatus;
  if (!JOB_STATUSES.includes(status)) throw new Error(`job ${jobId} has an unknown status "${hash.status}"`);
  const job: JobRecord = {
    id: jobId,
    owner: hash.owner ?? '',
    hashtag: hash.hashtag ?? '',
    pictureUrl: hash.pictureUrl ?? '',
    status,
    created: Number(hash.created ?? 0),
    updated: Number(hash.updated ?? 0),
    total: Number(hash.total ?? 0),
    searchDone: hash.searchDone === '1',
    processed: Number(hash.processed ?? 0),
    failed: Number(hash.failed ?? 0),
    matched: Number(hash.matched ?? 0),
  };
  if (Number(hash.maybe ?? 0) > 0) job.maybe = Number(hash.maybe);
  if (hash.error) job.error = hash.error;
  if (hash.searchNote) job.searchNote = hash.searchNote;
  return job;
}

/** A batch of photos fired on `tweet_image` and not yet settled, as the sweeper keeps it to deliver it again. */
export interface BatchRecord {
  photos: PhotoRef[];
  /** photoHash of each photo, in the same order (Lua checks them against the recorded set). */
  hashes: string[];
  /** Deliveries after the first. */
  attempts: number;
}

/** A stored batch's JSON as a BatchRecord; `where` names it in the error. */
export function parseBatchRecord(json: string, where: string): BatchRecord {
  const v = jsonFieldsOf(json, where);
  if (!Array.isArray(v.photos) || v.photos.length === 0) throw new WireError(`${where}.photos must be a non-empty list`);
  if (!Array.isArray(v.hashes) || v.hashes.length !== v.photos.length) throw new WireError(`${where}.hashes must be a list as long as photos`);
  if (typeof v.attempts !== 'number' || !Number.isInteger(v.attempts) || v.attempts < 0) throw new WireError(`${where}.attempts must be a whole number ≥ 0`);
  const photos = v.photos.map((photo: unknown, i) => photoRefOf(photo, `${where}.photos[${i}]`));
  return { photos, hashes: v.hashes.map((h: unknown, i) => nonEmptyText(h, `${where}.hashes[${i}]`)), attempts: v.attempts };
}

/** A face's box in pixels of the upright (EXIF-rotated) original image. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `match`: sure (distance ≤ FINDME_MATCH_THRESHOLD); `maybe`: worth a look (≤ FINDME_MAYBE_THRESHOLD). */
export const BANDS = ['match', 'maybe'] as const;
export type Band = (typeof BANDS)[number];

export interface MatchRecord {
  tweetId: string;
  tweetUrl: string;
  imageUrl: string;
  box: FaceBox;
  /** Euclidean distance between the face and the user's nearest reference face; smaller is more alike. */
  distance: number;
  imageWidth: number;
  imageHeight: number;
  /** Absent in records written before bands: those are sure matches. */
  band?: Band;
  /**
   * Hex of the face's descriptor, so "That's me" can add it to the references without running a model again.
   * Kept in Redis only: search_status leaves it out (see MatchView).
   */
  descriptor?: string;
}

/** The band of a record, old ones included. */
export function bandOf(match: Pick<MatchRecord, 'band'>): Band {
  return match.band ?? 'match';
}

// ---- References and reviews ----------------------------------------------------------------------------------

/** A user has at most this many reference faces (the profile picture's included). */
export const MAX_REFERENCES = 5;
/** The id of the reference computed from the login's profile picture. */
export const PROFILE_REFERENCE_ID = 'profile';
/** Where a reference came from: the login's picture, a photo the user uploaded, or a match they confirmed. */
export const REFERENCE_SOURCES = ['profile', 'upload', 'match'] as const;
export type ReferenceSource = (typeof REFERENCE_SOURCES)[number];

/** One reference face as stored (never the photo itself: its descriptor and a small crop of the face). */
export interface ReferenceRecord {
  id: string;
  source: ReferenceSource;
  /** Hex of the Float32Array descriptor (descriptor-codec). */
  descriptor: string;
  /** A JPEG data URL of the face, at most 96 px a side: what the page shows. */
  thumbnail: string;
  /** Milliseconds since the epoch. */
  added: number;
}

const THUMBNAIL = /^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/;
/** A 96 px JPEG is a few kB; anything far larger is not one reference_face made. */
export const MAX_THUMBNAIL_CHARS = 64 * 1024;

/** A stored reference's JSON as a ReferenceRecord; `where` names it in the error. */
export function parseReferenceRecord(json: string, where: string): ReferenceRecord {
  const v = jsonFieldsOf(json, where);
  const source = v.source as ReferenceSource;
  if (!REFERENCE_SOURCES.includes(source)) throw new WireError(`${where}.source must be one of ${REFERENCE_SOURCES.join(', ')}`);
  const thumbnail = nonEmptyText(v.thumbnail, `${where}.thumbnail`);
  if (thumbnail.length > MAX_THUMBNAIL_CHARS || !THUMBNAIL.test(thumbnail)) throw new WireError(`${where}.thumbnail must be a JPEG data URL`);
  if (typeof v.added !== 'number' || !Number.isFinite(v.added)) throw new WireError(`${where}.added must be a time`);
  return { id: nonEmptyText(v.id, `${where}.id`), source, descriptor: nonEmptyText(v.descriptor, `${where}.descriptor`), thumbnail, added: v.added };
}

/** The owner's decision on one photo of a search. */
export const REVIEW_DECISIONS = ['me', 'not-me'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export function isReviewDecision(value: unknown): value is ReviewDecision {
  return (REVIEW_DECISIONS as readonly unknown[]).includes(value);
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

/**
 * A match as its owner sees it: the record without its descriptor, with their decision, if any (search_status
 * always sets `band`; bandOf reads records from before bands).
 */
export interface MatchView extends Omit<MatchRecord, 'descriptor'> {
  decision?: ReviewDecision;
}

/** A reference as the page lists it: everything but the descriptor. */
export type ReferenceView = Omit<ReferenceRecord, 'descriptor'>;

export interface ReferencesResponse {
  references: ReferenceView[];
  max: number;
  /** Why the profile picture is not among them, when it is not and was not removed (no face in it, …). */
  profileNote?: string;
}

/**
 * references POST: a photo to add (`image`: base64 JPEG/PNG/WebP, the page sends ≤ 1024 px JPEG), or the face of
 * a match the user confirmed (`fromMatch`: computed already, no model run).
 */
export type AddReferenceRequest = { image: string } | { fromMatch: { jobId: string; imageUrl: string } };

/** Largest base64 `image` accepted: OpenWhisk refuses requests over 1 MB anyway; this names the problem first. */
export const MAX_REFERENCE_IMAGE_CHARS = 1_000_000;

export function parseAddReferenceRequest(body: Fields): AddReferenceRequest {
  if (body.fromMatch !== undefined) {
    const m = fieldsOf(body.fromMatch);
    return { fromMatch: { jobId: nonEmptyText(m.jobId, 'fromMatch.jobId'), imageUrl: nonEmptyText(m.imageUrl, 'fromMatch.imageUrl') } };
  }
  const image = nonEmptyText(body.image, 'image');
  if (image.length > MAX_REFERENCE_IMAGE_CHARS) throw new WireError(`image is ${(image.length / 1e6).toFixed(1)} MB of base64, more than the 1 MB allowed: send a JPEG of at most 1024 px`);
  if (!/^[A-Za-z0-9+/]+=*$/.test(image)) throw new WireError('image must be the base64 of a JPEG, PNG or WebP file (no data: prefix, no line breaks)');
  return { image };
}

export interface DeleteReferenceRequest {
  id: string;
}

export function parseDeleteReferenceRequest(body: Fields): DeleteReferenceRequest {
  return { id: nonEmptyText(body.id, 'id') };
}

/**
 * What the references web action asks the reference_face action (blocking): the one face of an uploaded image or
 * of the profile picture (descriptor and thumbnail), or only the thumbnail of a face already described (a match
 * the user confirmed: its photo's URL and the face's box).
 */
export type ReferenceFaceRequest = { image: string } | { pictureUrl: string } | { crop: { imageUrl: string; box: FaceBox } };

export function parseReferenceFaceRequest(params: Fields): ReferenceFaceRequest {
  if (params.image !== undefined) return { image: nonEmptyText(params.image, 'image') };
  if (params.pictureUrl !== undefined) return { pictureUrl: nonEmptyText(params.pictureUrl, 'pictureUrl') };
  const crop = fieldsOf(params.crop);
  const box = fieldsOf(crop.box);
  if (!['x', 'y', 'width', 'height'].every((k) => typeof box[k] === 'number' && Number.isFinite(box[k]) && (box[k] as number) >= 0)) {
    throw new WireError('one of image, pictureUrl or crop {imageUrl, box} is required');
  }
  return { crop: { imageUrl: nonEmptyText(crop.imageUrl, 'crop.imageUrl'), box: box as unknown as FaceBox } };
}

/**
 * reference_face's answer: the face's thumbnail and (unless only a crop was asked) its descriptor; or why the
 * image cannot be a reference (`transient`: trying again later may work, e.g. the picture's host was down).
 */
export type ReferenceFaceResult = { descriptor?: string; thumbnail: string } | { refused: string; transient: boolean };

export function parseReferenceFaceResult(value: unknown): ReferenceFaceResult {
  const v = fieldsOf(value);
  if (typeof v.refused === 'string') return { refused: v.refused, transient: v.transient === true };
  const thumbnail = nonEmptyText(v.thumbnail, 'thumbnail');
  return v.descriptor === undefined ? { thumbnail } : { descriptor: nonEmptyText(v.descriptor, 'descriptor'), thumbnail };
}

/** review_match POST: the owner's decision on one photo of their search. */
export interface ReviewMatchRequest {
  jobId: string;
  imageUrl: string;
  decision: ReviewDecision;
}

export function parseReviewMatchRequest(body: Fields): ReviewMatchRequest {
  const decision = body.decision;
  if (!isReviewDecision(decision)) throw new WireError(`decision must be one of ${REVIEW_DECISIONS.join(', ')}, got ${JSON.stringify(decision) ?? 'nothing'}`);
  return { jobId: nonEmptyText(body.jobId, 'jobId'), imageUrl: nonEmptyText(body.imageUrl, 'imageUrl'), decision };
}

export interface ReviewMatchResponse {
  jobId: string;
  imageUrl: string;
  decision: ReviewDecision;
}

export interface RegisterSearchRequest {
  hashtag: string;
}

/** register_search's body; a hashtag that is not one is a 400 naming what is wrong (lib/hashtag.ts). */
export function parseRegisterSearchRequest(body: Fields): RegisterSearchRequest {
  return { hashtag: parseHashtag(body.hashtag) };
}

export interface RegisterSearchResponse {
  jobId: string;
}

/** The job's progress as its owner may see it (not its owner or picture), plus what is new. */
export interface SearchStatusResponse extends Pick<JobRecord, 'status' | 'hashtag' | 'total' | 'searchDone' | 'processed' | 'failed' | 'matched' | 'maybe' | 'error' | 'searchNote'> {
  /** Matches newer than the request's `after` cursor, newest first. */
  matches: MatchView[];
  /** Pass as `after` to get only what is new. */
  cursor: string;
  /** The first photos that could not be checked, and why (at most 50 kept per job). */
  failures: FailureRecord[];
  /** Photos whose batch was lost on its way and is being delivered again (absent when none). */
  retrying?: number;
}

/** One of the user's searches, as "My searches" lists it (my_searches GET), newest first. */
export type SearchListItem = Pick<JobRecord, 'id' | 'hashtag' | 'status' | 'created' | 'total' | 'searchDone' | 'processed' | 'failed' | 'matched'>;

export interface MySearchesResponse {
  searches: SearchListItem[];
}

/** my_searches POST: cancel one of the caller's own running searches. */
export interface CancelSearchRequest {
  cancel: string;
}

export function parseCancelSearchRequest(body: Fields): CancelSearchRequest {
  return { cancel: nonEmptyText(body.cancel, 'cancel') };
}

export interface CancelSearchResponse {
  jobId: string;
  /** 'cancelled', or how the search had already ended. */
  status: JobStatus;
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
