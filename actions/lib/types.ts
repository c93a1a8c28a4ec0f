/**
 * Every shape that crosses a boundary — trigger events, Redis records, HTTP bodies and answers, the page's config
 * — is defined here once and imported everywhere else; a shape read from outside has its parser beside it.
 * Parsers are plain functions, no schema library: the shapes are few and flat, and the actions' bundles and the
 * page carry no extra code. The page and the CLI parse the actions' answers with these same functions, so this
 * file imports nothing but the other dependency-free modules they may import (eslint.config.js holds it to that).
 */
import { checkHashtag } from './hashtag-rule';

/** A shape read from outside that does not parse; the message names the field. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

/** A record as it arrives (event parameters, a parsed JSON body). */
type Fields = Record<string, unknown>;

function isNonEmptyText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function nonEmptyText(value: unknown, field: string): string {
  if (!isNonEmptyText(value)) throw new WireError(`${field} must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function fieldsOf(value: unknown): Fields {
  return (typeof value === 'object' && value !== null ? value : {}) as Fields;
}

function textOf(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new WireError(`${field} must be a string, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function flagOf(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new WireError(`${field} must be true or false, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function oneOf<T extends string>(value: unknown, names: readonly T[], field: string): T {
  if (!names.includes(value as T)) throw new WireError(`${field} must be one of ${names.join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value as T;
}

/** Each item of a list through `item`, whose errors name it by its place (`matches[3].distance`). */
function listOf<T>(value: unknown, field: string, item: (value: unknown, field: string) => T): T[] {
  if (!Array.isArray(value)) throw new WireError(`${field} must be a list, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value.map((v: unknown, i) => item(v, `${field}[${i}]`));
}

/** Stored JSON as fields; `where` names it in the error. */
function jsonFieldsOf(json: string, where: string): Fields {
  return fieldsOf(jsonOf(json, where));
}

function jsonOf(json: string, where: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new WireError(`${where} is not JSON`);
  }
}

/**
 * An answer of the web action `action` through `parse`; what does not parse is a WireError naming the action and
 * the field (`search_status: matches[0].distance must be a number …`).
 */
function answerOf<T>(action: string, body: unknown, parse: (v: Fields) => T): T {
  try {
    return parse(fieldsOf(body));
  } catch (error) {
    if (error instanceof WireError) throw new WireError(`${action}: ${error.message}`);
    throw error;
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

/** Where posts are searched: each has its own search action on `search_request`. */
export const SOURCES = ['x', 'mastodon', 'bluesky'] as const;
export type Source = (typeof SOURCES)[number];

/** How the page and the notes name each source. */
export const SOURCE_LABELS: Record<Source, string> = { x: 'X', mastodon: 'Mastodon', bluesky: 'Bluesky' };

export function isSource(value: unknown): value is Source {
  return typeof value === 'string' && (SOURCES as readonly string[]).includes(value);
}

/** A post's text is carried this long at most (an excerpt: events and records stay small). */
export const MAX_TEXT_CHARS = 300;

/** The post's text cut to MAX_TEXT_CHARS (with an ellipsis when cut). */
export function textExcerpt(text: string): string {
  const chars = [...text.trim()];
  return chars.length <= MAX_TEXT_CHARS ? chars.join('') : `${chars.slice(0, MAX_TEXT_CHARS - 1).join('')}…`;
}

/** One photo of one post, the same shape whatever the source. */
export interface PhotoRef {
  source: Source;
  /** The post's id at its source (an X snowflake, a Mastodon status uri, a Bluesky at:// uri). */
  postId: string;
  /** The post as people open it (https). */
  postUrl: string;
  imageUrl: string;
  /** The author's handle (`ada`, `ada@mastodon.social`, `ada.bsky.social`), when the source gives it. */
  author?: string;
  /** An excerpt of the post's text (textExcerpt), when the source gives it. */
  text?: string;
  /** When the post was made, ISO 8601, when the source gives it. */
  createdAt?: string;
}

export const TWEET_IMAGE_TRIGGER = 'tweet_image';

/** Fired by each source's search action on `tweet_image` (the name kept from when X was the only source): a batch of photos (one event per photo would hit fire limits). */
export interface TweetImageEvent {
  jobId: string;
  photos: PhotoRef[];
  /** The outstanding batch this delivers (absent in events fired before batches were recorded). */
  batchId?: string;
}

/** Largest batch a tweet_image event may carry; the search actions send FINDME_PHOTOS_PER_EVENT (at most this). */
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

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new WireError(`${field} must be a string when given, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A photo as an event or a stored batch carries it. Batches stored before the fields were source-neutral
 * (`tweetId`, `tweetUrl`, no `source`) are read as X photos, so an outstanding batch survives the upgrade.
 */
function photoRefOf(photo: unknown, field: string): PhotoRef {
  const p = fieldsOf(photo);
  const legacy = p.postId === undefined && p.tweetId !== undefined;
  const postId = nonEmptyText(legacy ? p.tweetId : p.postId, `${field}.postId`);
  const postUrl = nonEmptyText(legacy ? p.tweetUrl : p.postUrl, `${field}.postUrl`);
  const imageUrl = nonEmptyText(p.imageUrl, `${field}.imageUrl`);
  const source = legacy && p.source === undefined ? 'x' : p.source;
  if (!isSource(source)) throw new WireError(`${field}.source must be one of ${SOURCES.join(', ')}, got ${JSON.stringify(source) ?? 'nothing'}`);
  const ref: PhotoRef = { source, postId, postUrl, imageUrl };
  const author = optionalText(p.author, `${field}.author`);
  const text = optionalText(p.text, `${field}.text`);
  const createdAt = optionalText(p.createdAt, `${field}.createdAt`);
  if (author) ref.author = author;
  if (text) ref.text = textExcerpt(text);
  if (createdAt) {
    if (Number.isNaN(Date.parse(createdAt))) throw new WireError(`${field}.createdAt must be an ISO 8601 time, got ${JSON.stringify(createdAt)}`);
    ref.createdAt = createdAt;
  }
  return ref;
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

/** A source's search within a job: pending until its action starts, then searching, then done or failed. */
export const SOURCE_STATUSES = ['pending', 'searching', 'done', 'failed'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

export interface SourceProgress {
  source: Source;
  status: SourceStatus;
  /** Posts read so far (final once done). */
  posts: number;
  /** Photos this source found that no other source of the job had found first. */
  photos: number;
  /** Why it read fewer posts than the hashtag has, or why it failed. */
  note?: string;
}

function sourceProgressOf(value: unknown, field: string): SourceProgress {
  const v = fieldsOf(value);
  const progress: SourceProgress = {
    source: oneOf(v.source, SOURCES, `${field}.source`),
    status: oneOf(v.status, SOURCE_STATUSES, `${field}.status`),
    posts: finiteNumber(v.posts, `${field}.posts`, 0),
    photos: finiteNumber(v.photos, `${field}.photos`, 0),
  };
  const note = optionalText(v.note, `${field}.note`);
  if (note) progress.note = note;
  return progress;
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
  /** The sources the job asked for, in order, each with its progress. */
  sources: SourceProgress[];
  /** Hosts the job's photos may come from besides FINDME_IMAGE_HOSTS (a Mastodon instance's media host). */
  imageHosts?: string[];
}

/**
 * The per-source fields of a job hash (`sources` = "x,mastodon", `src:<source>:status|posts|photos|note`). A job
 * from before sources were recorded searched X only; its X state follows from the job's.
 */
function sourcesOf(hash: Record<string, string>, status: JobStatus, searchDone: boolean): SourceProgress[] {
  const legacy = hash.sources === undefined;
  const names = (hash.sources ?? 'x').split(',').filter(isSource);
  return names.map((source) => {
    const at = (field: string) => hash[`src:${source}:${field}`];
    const fallback: SourceStatus = searchDone ? 'done' : status === 'queued' ? 'pending' : 'searching';
    const recorded = at('status') as SourceStatus | undefined;
    const progress: SourceProgress = {
      source,
      status: recorded && SOURCE_STATUSES.includes(recorded) ? recorded : legacy ? fallback : 'pending',
      posts: Number(at('posts') ?? 0),
      photos: Number(at('photos') ?? (legacy ? (hash.total ?? 0) : 0)),
    };
    const note = at('note') ?? (legacy ? hash.searchNote : undefined);
    if (note) progress.note = note;
    return progress;
  });
}

/** A job's Redis hash as a JobRecord (null when the hash is empty: no such job). */
export function parseJobRecord(jobId: string, hash: Record<string, string>): JobRecord | null {
  if (Object.keys(hash).length === 0) return null;
  const status = hash.status as JobStatus;
  if (!JOB_STATUSES.includes(status)) throw new WireError(`job ${jobId}.status must be one of ${JOB_STATUSES.join(', ')}, got ${JSON.stringify(hash.status) ?? 'nothing'}`);
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
    sources: [],
  };
  if (Number(hash.maybe ?? 0) > 0) job.maybe = Number(hash.maybe);
  job.sources = sourcesOf(hash, status, job.searchDone);
  if (hash.error) job.error = hash.error;
  if (hash.imageHosts) job.imageHosts = hash.imageHosts.split(',');
  if (hash.searchNote) job.searchNote = hash.searchNote;
  return job;
}

/** The reference descriptors (hex) a job was started with, as its hash's `references` field keeps them (JSON). */
export function parseJobReferences(json: string, where: string): string[] {
  const v: unknown = jsonOf(json, where);
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'string')) throw new WireError(`${where} must be a list of descriptors`);
  return v as string[];
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

/** A photo with the user's face: the photo's fields (source, post, author, text, time) and where the face is. */
export interface MatchRecord extends PhotoRef {
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

function finiteNumber(value: unknown, field: string, min = -Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new WireError(`${field} must be a number${min > -Infinity ? ` ≥ ${min}` : ''}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function faceBoxOf(value: unknown, field: string): FaceBox {
  const b = fieldsOf(value);
  return { x: finiteNumber(b.x, `${field}.x`), y: finiteNumber(b.y, `${field}.y`), width: finiteNumber(b.width, `${field}.width`, 0), height: finiteNumber(b.height, `${field}.height`, 0) };
}

/** A match's fields but its descriptor, as a record or a MatchView carries them. */
function matchOf(v: Fields, where: string): Omit<MatchRecord, 'descriptor'> {
  const match: Omit<MatchRecord, 'descriptor'> = {
    ...photoRefOf(v, where),
    box: faceBoxOf(v.box, `${where}.box`),
    distance: finiteNumber(v.distance, `${where}.distance`, 0),
    imageWidth: finiteNumber(v.imageWidth, `${where}.imageWidth`, 0),
    imageHeight: finiteNumber(v.imageHeight, `${where}.imageHeight`, 0),
  };
  if (v.band !== undefined) match.band = oneOf(v.band, BANDS, `${where}.band`);
  return match;
}

/** A stored match's JSON as a MatchRecord (records from before bands or source-neutral fields included). */
export function parseMatchRecord(json: string, where: string): MatchRecord {
  const v = jsonFieldsOf(json, where);
  const record: MatchRecord = matchOf(v, where);
  if (v.descriptor !== undefined) {
    if (typeof v.descriptor !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(v.descriptor)) throw new WireError(`${where}.descriptor must be hex`);
    record.descriptor = v.descriptor;
  }
  return record;
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

/** A reference's fields but its descriptor, as a record or a ReferenceView carries them. */
function referenceViewOf(value: unknown, where: string): ReferenceView {
  const v = fieldsOf(value);
  const source = oneOf(v.source, REFERENCE_SOURCES, `${where}.source`);
  const thumbnail = nonEmptyText(v.thumbnail, `${where}.thumbnail`);
  if (thumbnail.length > MAX_THUMBNAIL_CHARS || !THUMBNAIL.test(thumbnail)) throw new WireError(`${where}.thumbnail must be a JPEG data URL`);
  if (typeof v.added !== 'number' || !Number.isFinite(v.added)) throw new WireError(`${where}.added must be a time`);
  return { id: nonEmptyText(v.id, `${where}.id`), source, thumbnail, added: v.added };
}

/** A stored reference's JSON as a ReferenceRecord; `where` names it in the error. */
export function parseReferenceRecord(json: string, where: string): ReferenceRecord {
  const v = jsonFieldsOf(json, where);
  return { ...referenceViewOf(v, where), descriptor: nonEmptyText(v.descriptor, `${where}.descriptor`) };
}

/** The owner's decision on one photo of a search. */
export const REVIEW_DECISIONS = ['me', 'not-me'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export function isReviewDecision(value: unknown): value is ReviewDecision {
  return (REVIEW_DECISIONS as readonly unknown[]).includes(value);
}

/** Why a photo could not be checked (download, format, size, …). */
export interface FailureRecord {
  source: Source;
  postUrl: string;
  imageUrl: string;
  reason: string;
}

/** A stored failure's JSON as a FailureRecord (its post link may be empty: a photo whose post had none). */
export function parseFailureRecord(json: string, where: string): FailureRecord {
  return failureOf(jsonFieldsOf(json, where), where);
}

function failureOf(value: unknown, where: string): FailureRecord {
  const v = fieldsOf(value);
  const source = v.source === undefined ? 'x' : v.source;
  if (!isSource(source)) throw new WireError(`${where}.source must be one of ${SOURCES.join(', ')}, got ${JSON.stringify(source)}`);
  const postUrl = v.postUrl ?? v.tweetUrl ?? '';
  if (typeof postUrl !== 'string') throw new WireError(`${where}.postUrl must be a string`);
  return { source, postUrl, imageUrl: nonEmptyText(v.imageUrl, `${where}.imageUrl`), reason: nonEmptyText(v.reason, `${where}.reason`) };
}

/** A photo's faces as cached by URL hash: a photo seen before costs no model run. */
export interface PhotoFaces {
  width: number;
  height: number;
  faces: Array<{ box: FaceBox; descriptor: string /* hex of Float32Array bytes */ }>;
}

/** A box whose every side is a count (≥ 0), as the face engine writes them to the cache. */
function countBoxOf(value: unknown, field: string): FaceBox {
  const b = fieldsOf(value);
  return { x: finiteNumber(b.x, `${field}.x`, 0), y: finiteNumber(b.y, `${field}.y`, 0), width: finiteNumber(b.width, `${field}.width`, 0), height: finiteNumber(b.height, `${field}.height`, 0) };
}

/** A cached PhotoFaces JSON (the descriptors' hex is decoded, and checked, by its reader: store/caches.ts). */
export function parsePhotoFaces(json: string, where: string): PhotoFaces {
  const v = jsonFieldsOf(json, where);
  const faces = listOf(v.faces, `${where}.faces`, (face, field) => {
    const f = fieldsOf(face);
    return { box: countBoxOf(f.box, `${field}.box`), descriptor: nonEmptyText(f.descriptor, `${field}.descriptor`) };
  });
  return { width: finiteNumber(v.width, `${where}.width`, 0), height: finiteNumber(v.height, `${where}.height`, 0), faces };
}

// ---- HTTP bodies of the web actions --------------------------------------------------------------------------

/**
 * A match as its owner sees it: the record without its descriptor, with their decision, if any (search_status
 * always sets `band`; bandOf reads records from before bands).
 */
export interface MatchView extends Omit<MatchRecord, 'descriptor'> {
  decision?: ReviewDecision;
}

function matchViewOf(value: unknown, where: string): MatchView {
  const v = fieldsOf(value);
  const view: MatchView = matchOf(v, where);
  if (v.decision !== undefined) view.decision = oneOf(v.decision, REVIEW_DECISIONS, `${where}.decision`);
  return view;
}

/** A reference as the page lists it: everything but the descriptor. */
export type ReferenceView = Omit<ReferenceRecord, 'descriptor'>;

export interface ReferencesResponse {
  references: ReferenceView[];
  max: number;
  /** Why the profile picture is not among them, when it is not and was not removed (no face in it, …). */
  profileNote?: string;
}

/** The references action's answer to GET, POST and DELETE alike. */
export function parseReferencesResponse(body: unknown): ReferencesResponse {
  return answerOf('references', body, (v) => {
    const answer: ReferencesResponse = { references: listOf(v.references, 'references', referenceViewOf), max: finiteNumber(v.max, 'max', 0) };
    const profileNote = optionalText(v.profileNote, 'profileNote');
    if (profileNote) answer.profileNote = profileNote;
    return answer;
  });
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

export function parseReviewMatchResponse(body: unknown): ReviewMatchResponse {
  return answerOf('review_match', body, (v) => ({ jobId: nonEmptyText(v.jobId, 'jobId'), imageUrl: nonEmptyText(v.imageUrl, 'imageUrl'), decision: oneOf(v.decision, REVIEW_DECISIONS, 'decision') }));
}

export interface RegisterSearchRequest {
  hashtag: string;
  /** The sources to search; absent: every source the deployment has configured. */
  sources?: Source[];
}

/**
 * register_search's body; a hashtag that is not one (the words of hashtag-rule.ts, written for people), or sources
 * that are not a list of known source names, is a WireError naming what is wrong. A comma-separated string is
 * taken too (a form).
 */
export function parseRegisterSearchRequest(body: Fields): RegisterSearchRequest {
  const checked = checkHashtag(body.hashtag);
  if (!checked.ok) throw new WireError(checked.message);
  const hashtag = checked.tag;
  if (body.sources === undefined || body.sources === null) return { hashtag };
  const list: unknown[] = typeof body.sources === 'string' ? body.sources.split(',').map((s) => s.trim()) : Array.isArray(body.sources) ? body.sources : [body.sources];
  const unknown = list.filter((s) => !isSource(s));
  if (unknown.length > 0) throw new WireError(`sources must name ${SOURCES.join(', ')}; ${unknown.map((s) => JSON.stringify(s)).join(', ')} is not one`);
  if (list.length === 0) throw new WireError(`sources must name at least one of ${SOURCES.join(', ')}`);
  return { hashtag, sources: SOURCES.filter((s) => list.includes(s)) };
}

export interface RegisterSearchResponse {
  jobId: string;
}

export function parseRegisterSearchResponse(body: unknown): RegisterSearchResponse {
  return answerOf('register_search', body, (v) => ({ jobId: nonEmptyText(v.jobId, 'jobId') }));
}

/** search_status GET's query: the job, and the cursor of a previous answer to get only what is new. */
export interface SearchStatusQuery {
  jobId: string;
  after?: string;
}

/** The query's words are the caller's instructions, as search_status answers them in its 400. */
export function parseSearchStatusQuery(params: Fields): SearchStatusQuery {
  const { jobId, after } = params;
  if (typeof jobId !== 'string' || jobId === '') throw new WireError('jobId is required: search_status?jobId=<id from register_search>');
  if (after !== undefined && typeof after !== 'string' && typeof after !== 'number') throw new WireError('after must be a cursor from a previous answer');
  return after === undefined ? { jobId } : { jobId, after: String(after) };
}

/** The job's progress as its owner may see it (not its owner or picture), plus what is new. */
export interface SearchStatusResponse extends Pick<JobRecord, 'status' | 'hashtag' | 'total' | 'searchDone' | 'processed' | 'failed' | 'matched' | 'maybe' | 'error' | 'searchNote'> {
  /** Each source's progress (search_status always sends it; a findme from before sources did not). */
  sources?: SourceProgress[];
  /** Matches newer than the request's `after` cursor, newest first. */
  matches: MatchView[];
  /** Pass as `after` to get only what is new. */
  cursor: string;
  /** The first photos that could not be checked, and why (at most 50 kept per job). */
  failures: FailureRecord[];
  /** Photos whose batch was lost on its way and is being delivered again (absent when none). */
  retrying?: number;
}

/** The counts a job's answers share (search_status, my_searches' list). */
function progressCountsOf(v: Fields, where: string): Pick<JobRecord, 'status' | 'hashtag' | 'total' | 'searchDone' | 'processed' | 'failed' | 'matched'> {
  return {
    status: oneOf(v.status, JOB_STATUSES, `${where}status`),
    hashtag: textOf(v.hashtag, `${where}hashtag`),
    total: finiteNumber(v.total, `${where}total`, 0),
    searchDone: flagOf(v.searchDone, `${where}searchDone`),
    processed: finiteNumber(v.processed, `${where}processed`, 0),
    failed: finiteNumber(v.failed, `${where}failed`, 0),
    matched: finiteNumber(v.matched, `${where}matched`, 0),
  };
}

export function parseSearchStatusResponse(body: unknown): SearchStatusResponse {
  return answerOf('search_status', body, (v) => {
    const answer: SearchStatusResponse = {
      ...progressCountsOf(v, ''),
      matches: listOf(v.matches, 'matches', matchViewOf),
      cursor: textOf(v.cursor, 'cursor'),
      failures: listOf(v.failures, 'failures', failureOf),
    };
    if (v.maybe !== undefined) answer.maybe = finiteNumber(v.maybe, 'maybe', 0);
    const error = optionalText(v.error, 'error');
    const searchNote = optionalText(v.searchNote, 'searchNote');
    if (error) answer.error = error;
    if (searchNote) answer.searchNote = searchNote;
    if (v.sources !== undefined) answer.sources = listOf(v.sources, 'sources', sourceProgressOf);
    if (v.retrying !== undefined) answer.retrying = finiteNumber(v.retrying, 'retrying', 0);
    return answer;
  });
}

/** One of the user's searches, as "My searches" lists it (my_searches GET), newest first. */
export type SearchListItem = Pick<JobRecord, 'id' | 'hashtag' | 'status' | 'created' | 'total' | 'searchDone' | 'processed' | 'failed' | 'matched'>;

export interface MySearchesResponse {
  searches: SearchListItem[];
}

export function parseMySearchesResponse(body: unknown): MySearchesResponse {
  return answerOf('my_searches', body, (v) => ({
    searches: listOf(v.searches, 'searches', (item, field) => {
      const s = fieldsOf(item);
      return { id: nonEmptyText(s.id, `${field}.id`), created: finiteNumber(s.created, `${field}.created`, 0), ...progressCountsOf(s, `${field}.`) };
    }),
  }));
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

export function parseCancelSearchResponse(body: unknown): CancelSearchResponse {
  return answerOf('my_searches', body, (v) => ({ jobId: nonEmptyText(v.jobId, 'jobId'), status: oneOf(v.status, JOB_STATUSES, 'status') }));
}

export interface ErrorBody {
  error: string;
}

/** A refusal's body, if it is findme's (a proxy or the platform may answer with anything, or nothing). */
export function parseErrorBody(body: unknown): ErrorBody | undefined {
  const error = fieldsOf(body).error;
  return typeof error === 'string' ? { error } : undefined;
}

/** What the page server serves at /config.json: one page build serves any tenant and deployment. */
export interface PageConfig {
  /** Base of the web actions, e.g. `https://ow.example.com/api/v1/web/guest/findme`. */
  apiBase: string;
  auth0: { domain: string; clientId: string; audience: string };
  /** A hashtag that has photos in the local demo, shown as a hint. */
  demoHashtag?: string;
  /** The sources this deployment has configured (FINDME_SOURCES): the page offers these, all checked. */
  sources?: Source[];
}

/**
 * The config if it has findme's shape; else a WireError naming the first thing wrong (the page tells it as
 * config.json not being findme's: a host that answers with its own 404 page or someone else's JSON).
 */
export function parsePageConfig(body: unknown): PageConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WireError('it is not a JSON object');
  const v = body as Fields;
  if (!isNonEmptyText(v.apiBase)) throw new WireError('apiBase is not a string');
  const auth0 = v.auth0;
  if (typeof auth0 !== 'object' || auth0 === null || Array.isArray(auth0)) throw new WireError('auth0 is not an object');
  const a = auth0 as Fields;
  for (const name of ['domain', 'clientId', 'audience'] as const) {
    if (!isNonEmptyText(a[name])) throw new WireError(`auth0.${name} is not a string`);
  }
  if (v.demoHashtag !== undefined && typeof v.demoHashtag !== 'string') throw new WireError('demoHashtag is not a string');
  const sources = v.sources;
  if (sources !== undefined && (!Array.isArray(sources) || !sources.every(isSource))) throw new WireError(`sources is not a list of ${SOURCES.join(', ')}`);
  return {
    ...(Array.isArray(sources) && sources.length > 0 ? { sources: sources as Source[] } : {}),
    apiBase: v.apiBase,
    auth0: { domain: a.domain as string, clientId: a.clientId as string, audience: a.audience as string },
    ...(v.demoHashtag ? { demoHashtag: v.demoHashtag } : {}),
  };
}
