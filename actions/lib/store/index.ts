/** The store as actions open it: one Redis client per container, keys under FINDME_KEY_PREFIX. */
import type { RedisConfig, ReferenceConfig } from '../config';
import { DeliveryStore } from './batches';
import { JobStore } from './jobs';
import { makeKeys } from './keys';
import { getRedis } from './redis';
import { ReferenceStore } from './references';
import { ReviewStore } from './reviews';

export function openJobStore(config: RedisConfig): JobStore {
  return new JobStore(getRedis(config), makeKeys(config.keyPrefix), { jobTtlS: config.jobTtlS });
}

export function openDeliveryStore(config: RedisConfig): DeliveryStore {
  return new DeliveryStore(getRedis(config), makeKeys(config.keyPrefix), { jobTtlS: config.jobTtlS });
}

export function openReferenceStore(config: RedisConfig, references: ReferenceConfig): ReferenceStore {
  return new ReferenceStore(getRedis(config), makeKeys(config.keyPrefix), { referenceTtlS: references.referenceTtlS });
}

export function openReviewStore(config: RedisConfig): ReviewStore {
  return new ReviewStore(getRedis(config), makeKeys(config.keyPrefix));
}
