import http from 'node:http';
import https from 'node:https';
import { TwitterApi } from 'twitter-api-v2';
import type { XConfig } from '../config';

/** An app-only X API v2 client and the base URL its requests go to. */
export interface XClient {
  api: TwitterApi;
  /** twitter-api-v2 has no base-URL option: requests pass this as their `prefix` (how tests reach 127.0.0.1). */
  prefix: string;
}

export function createXClient(config: XConfig, bearerToken: string): XClient {
  // Plain http (the local stand-in) needs an http agent; the library's default is https.
  const agent = config.xApiBaseUrl.startsWith('http:') ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true });
  return { api: new TwitterApi(bearerToken, { httpAgent: agent }), prefix: config.xApiBaseUrl };
}
