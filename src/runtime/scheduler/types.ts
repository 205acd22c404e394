/** The durable scheduler's public shapes (docs/scheduler.md). */
import type { Logger } from '../logger.js'
import type { Storage } from '../storage/types.js'

/** A stored job as handlers and listings see it. */
export interface Job<TPayload = unknown> {
  readonly id: number
  /** The module that scheduled it (only that module's scheduler fires it). */
  readonly owner: string
  /** What the job does; the handler registered for this kind runs it. */
  readonly kind: string
  /** Optional name unique per owner: scheduling the same key again replaces the job. */
  readonly key: string | null
  /** Optional grouping the owner lists by (an entity id, a community, a user). */
  readonly scope: string | null
  /** epoch ms */
  readonly dueAt: number
  readonly payload: TPayload
  /** Repeats every `repeatMs` after firing; null = fires once, then the row is deleted. */
  readonly repeatMs: number | null
  /** Claims so far (a claim is one attempt to fire). */
  readonly attempts: number
  readonly createdAt: number
}

export interface ScheduleInput<TPayload = unknown> {
  readonly kind: string
  /** epoch ms; in the past fires at the next pass. */
  readonly dueAt: number
  readonly payload?: TPayload
  readonly repeatMs?: number | null
  readonly key?: string | null
  readonly scope?: string | null
}

/** What a changed job may change. */
export interface JobChanges<TPayload = unknown> {
  readonly dueAt?: number
  readonly payload?: TPayload
  readonly repeatMs?: number | null
}

/** Runs a due job. Throwing retries it later (up to `maxAttempts`); resolving finishes it. */
// biome-ignore lint/suspicious/noExplicitAny: handlers narrow the payload themselves
export type JobHandler = (job: Job<any>) => Promise<void> | void

/** Time and timers, injectable (test/helpers/fake-clock.ts fits). */
export interface SchedulerClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface SchedulerOptions {
  readonly storage: Storage
  /** The owning module's name. */
  readonly owner: string
  readonly log?: Logger | undefined
  readonly clock?: SchedulerClock | undefined
  /** Longest wait between two looks at the table (default 1000 ms). */
  readonly pollMs?: number | undefined
  /** How long a claim holds before another process may take the job over (default 60 s). */
  readonly leaseMs?: number | undefined
  /** Attempts before a failing one-shot job is dropped (default 3). */
  readonly maxAttempts?: number | undefined
  /** Wait before retrying a failed job, times the attempt number (default 30 s). */
  readonly retryMs?: number | undefined
  /** Jobs fired per pass at most (default 50). */
  readonly batch?: number | undefined
  /** This instance's name in `claimed_by` (default host:pid:random). */
  readonly instance?: string | undefined
}

export interface ListFilter {
  readonly kind?: string
  readonly scope?: string
}

export interface Scheduler {
  /** The name this instance claims with. */
  readonly instance: string
  /** Registers the handler of `kind` (before or after `start`). */
  handle(kind: string, handler: JobHandler): void
  /** Stores a job (replacing the owner's job of the same `key`) and wakes the loop if it is due sooner. */
  schedule<TPayload>(input: ScheduleInput<TPayload>): Promise<Job<TPayload>>
  get<TPayload = unknown>(id: number): Promise<Job<TPayload> | undefined>
  getByKey<TPayload = unknown>(key: string): Promise<Job<TPayload> | undefined>
  /** Jobs of this owner, soonest first. */
  list<TPayload = unknown>(filter?: ListFilter): Promise<Job<TPayload>[]>
  /** How many jobs of this owner match. */
  count(filter?: ListFilter): Promise<number>
  update<TPayload>(id: number, changes: JobChanges<TPayload>): Promise<Job<TPayload> | undefined>
  /** Removes a job; true when it existed. */
  cancel(id: number): Promise<boolean>
  cancelKey(key: string): Promise<boolean>
  /** One pass: claims and fires every due job (up to `batch`); returns how many fired. */
  runDue(): Promise<number>
  /** Starts the background loop: a pass after `pollMs`, then every `pollMs` or sooner when a job is due. */
  start(): void
  /** Stops the loop and waits for the pass in flight. */
  stop(): Promise<void>
}
