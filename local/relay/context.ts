// What every route and the scheduler share: the database, the limits and keys the relay was
// started with, the clock, and a way to wake the scheduler after a write.

import type { Logger } from "../service-kit/log.ts";
import type { Db } from "./db.ts";
import type { AllowedOrigins } from "./destinations.ts";

export interface RelayConfig {
  token: string;
  signingKeys: { current: string; next: string };
  /** Origins messages may be delivered to (destinations, callbacks, group endpoints). */
  allowedOrigins: AllowedOrigins;
  /** Multiplies every relative wait: Upstash-Delay, backoff, Upstash-Retry-Delay, Retry-After. */
  timeScale: number;
  defaultRetries: number;
  deliveryTimeoutMs: number;
  maxConcurrentDeliveries: number;
  maxBodyBytes: number;
  maxPendingMessages: number;
  maxDlqMessages: number;
  dedupWindowMs: number;
}

export interface RelayContext {
  db: Db;
  config: RelayConfig;
  log: Logger;
  now(): number;
  /** Called after anything that may make a message deliverable sooner. */
  wake(): void;
}
