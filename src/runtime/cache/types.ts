/**
 * The cache / shared-state contract: TTL key-value, atomic counters, pub/sub and simple locks.
 * In-process when no `REDIS_URL` is set; Redis (ioredis) otherwise. Values are JSON-serialisable.
 */
export interface Lock {
  readonly key: string
  /** Releases the lock if this holder still owns it. */
  release(): Promise<void>
}

export type Unsubscribe = () => Promise<void>

export interface Cache {
  readonly kind: 'memory' | 'redis'
  get<T = unknown>(key: string): Promise<T | undefined>
  /** Stores `value`; `ttlMs` omitted or 0 means no expiry. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>
  /** Removes the value and the counter stored under `key`; true when something was removed. */
  delete(key: string): Promise<boolean>
  /**
   * Atomically adds `by` (default 1, an integer) and returns the new value; `ttlMs` is set when the key is
   * created. Counters live beside values: `get` does not read them, `delete` removes them.
   */
  incr(key: string, by?: number, ttlMs?: number): Promise<number>
  /** Delivers `message` to every subscriber of `channel` (in every process, on Redis). */
  publish(channel: string, message: unknown): Promise<void>
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>
  /** Takes the lock `key` for `ttlMs`, or returns undefined when someone else holds it. */
  tryLock(key: string, ttlMs: number): Promise<Lock | undefined>
  /** Resolves when the backend answers; throws otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface CacheOptions {
  /** `redis://…`; absent ⇒ in-process. */
  readonly redisUrl?: string | undefined
  /** Prefix for every key and channel (lets tests and deployments share one Redis). */
  readonly namespace?: string | undefined
  /** Receives background errors (lost Redis connection, a subscriber that throws); default `process.emitWarning`. */
  readonly onError?: ((error: unknown, context: string) => void) | undefined
  /** Redis only: hears the end of an outage whose start `onError` heard (one call each per outage). */
  readonly onRecovered?: ((downMs: number) => void) | undefined
}
