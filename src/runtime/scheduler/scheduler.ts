/**
 * The durable job scheduler (docs/scheduler.md): jobs live in `scheduled_jobs`, so they survive restarts (a job
 * due while no process ran fires once at the next pass) and every process of the owning module looks at the
 * same rows. A job fires in the process whose atomic claim (job-store.ts) changes its row, so two processes
 * never both fire it; a process that dies mid-job leaves a lease that expires and another process retries.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { jobStore } from './job-store.js'
import type { Job, JobHandler, Scheduler, SchedulerClock, SchedulerOptions } from './types.js'

export const SCHEDULER_DEFAULTS = {
  pollMs: 1000,
  leaseMs: 60_000,
  maxAttempts: 3,
  retryMs: 30_000,
  batch: 50,
} as const

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

/** The next due time of a repeating job fired at `now`: on its own grid, strictly after `now`, missed slots skipped. */
export function nextRun(dueAt: number, repeatMs: number, now: number): number {
  const steps = Math.max(1, Math.ceil((now - dueAt + 1) / repeatMs))
  return dueAt + steps * repeatMs
}

/**
 * A scheduler for one module's jobs.
 * @example
 * const scheduler = createScheduler({ storage: ctx.storage, owner: ctx.module, log: ctx.log })
 * scheduler.handle('reminder', async (job) => post(job.payload))
 * scheduler.start()
 * await scheduler.schedule({ kind: 'reminder', dueAt: Date.now() + 600_000, payload: { text: 'tea' } })
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? realClock
  const pollMs = options.pollMs ?? SCHEDULER_DEFAULTS.pollMs
  const leaseMs = options.leaseMs ?? SCHEDULER_DEFAULTS.leaseMs
  const maxAttempts = options.maxAttempts ?? SCHEDULER_DEFAULTS.maxAttempts
  const retryMs = options.retryMs ?? SCHEDULER_DEFAULTS.retryMs
  const batch = options.batch ?? SCHEDULER_DEFAULTS.batch
  const instance = options.instance ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const store = jobStore(options.storage, options.owner)
  const handlers = new Map<string, JobHandler>()
  let running = false
  let timer: unknown
  let timerAt = Number.POSITIVE_INFINITY
  let inFlight: Promise<number> | undefined
  let ticking: Promise<void> | undefined

  const arm = (delay: number) => {
    if (!running) return
    const wait = Math.max(0, Math.min(pollMs, delay))
    const at = clock.now() + wait
    if (timer !== undefined && timerAt <= at) return
    if (timer !== undefined) clock.clearTimeout(timer)
    timerAt = at
    timer = clock.setTimeout(() => {
      timer = undefined
      timerAt = Number.POSITIVE_INFINITY
      ticking ??= tick().finally(() => {
        ticking = undefined
      })
    }, wait)
  }

  const tick = async () => {
    try {
      await runDue()
      if (!running) return
      const next = await store.nextDue([...handlers.keys()], clock.now())
      arm(next === undefined ? pollMs : next - clock.now())
    } catch (err) {
      options.log?.warn({ err, owner: options.owner }, 'scheduler pass failed')
      arm(pollMs)
    }
  }

  const fire = async (id: number): Promise<boolean> => {
    const now = clock.now()
    const job = await store.claim(id, instance, now, leaseMs)
    if (!job) return false
    const handler = handlers.get(job.kind)
    try {
      if (!handler) throw new Error(`no handler for job kind "${job.kind}"`)
      await handler(job)
    } catch (err) {
      await failed(job, err)
      return true
    }
    if (job.repeatMs && job.repeatMs > 0)
      await store.release(job.id, instance, nextRun(job.dueAt, job.repeatMs, clock.now()))
    else await store.finish(job.id, instance)
    return true
  }

  const failed = async (job: Job, err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err)
    options.log?.warn({ err, owner: options.owner, job: job.id, kind: job.kind }, 'scheduled job failed')
    const now = clock.now()
    if (job.attempts < maxAttempts) await store.release(job.id, instance, now + retryMs * job.attempts, reason)
    else if (job.repeatMs && job.repeatMs > 0)
      await store.release(job.id, instance, nextRun(job.dueAt, job.repeatMs, now))
    else await store.finish(job.id, instance)
  }

  const pass = async (): Promise<number> => {
    const ids = await store.dueIds([...handlers.keys()], clock.now(), batch)
    let fired = 0
    for (const id of ids) if (await fire(id)) fired++
    return fired
  }

  /** Passes never overlap within one instance: a caller during a pass waits for it, then runs its own. */
  const runDue = async (): Promise<number> => {
    while (inFlight) await inFlight.catch(() => 0)
    inFlight = pass()
    try {
      return await inFlight
    } finally {
      inFlight = undefined
    }
  }

  return {
    instance,
    handle(kind, handler) {
      handlers.set(kind, handler)
      arm(0)
    },
    async schedule(input) {
      const job = await store.insert(input, clock.now())
      arm(job.dueAt - clock.now())
      return job
    },
    get: (id) => store.byId(id),
    getByKey: (key) => store.byKey(key),
    list: (filter) => store.list(filter),
    count: (filter) => store.count(filter),
    async update(id, changes) {
      const job = await store.update(id, changes)
      if (job) arm(job.dueAt - clock.now())
      return job
    },
    cancel: (id) => store.remove(id),
    cancelKey: (key) => store.removeKey(key),
    runDue,
    start() {
      if (running) return
      running = true
      // The first look comes one interval after start, once the module's servers (and the router) listen.
      arm(pollMs)
    },
    async stop() {
      running = false
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      timerAt = Number.POSITIVE_INFINITY
      while (ticking || inFlight) await (ticking ?? inFlight)?.catch(() => 0)
    },
  }
}
