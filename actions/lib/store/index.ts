/** The store as actions open it: one Redis client per container, production key prefix. */
import type { RedisConfig } from '../config';
import { DeliveryStore } from './batches';
import { JobStore } from './jobs';
import { makeKeys } from './keys';
import { getRedis } from './redis';

export function openJobStore(config: RedisConfig): JobStore {
  return new JobStore(getRedis(config), makeKeys(), { jobTtlS: config.jobTtlS });
}

export function openDeliveryStore(config: RedisConfig): DeliveryStore {
  return new DeliveryStore(getRedis(config), makeKeys(), { jobTtlS: config.jobTtlS });
}
