/**
 * fastify's per-request logger (`request.log`), made only when the request logs at a level that is on.
 * pino's `child()` passes its bindings (one request id) through the redaction of every secret path, parsing
 * each path again: ≈ 2.9 KB of garbage per request, a tenth of what an event through the router allocated,
 * for a logger that request logging being off leaves unused but on errors (docs/performance.md).
 */
import type { FastifyBaseLogger } from 'fastify'

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>

class RequestLogger {
  #real: FastifyBaseLogger | undefined

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
  ) {}

  #logger(): FastifyBaseLogger {
    this.#real ??= this.parent.child(this.bindings)
    return this.#real
  }

  #log(level: Level, args: unknown[]): void {
    const enabled = (this.parent as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.(level) ?? true
    if (this.#real || enabled) (this.#logger()[level] as (...a: unknown[]) => void)(...args)
  }

  get level(): string {
    return this.#real?.level ?? this.parent.level
  }
  set level(level: string) {
    this.#logger().level = level
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args)
  }
  error(...args: unknown[]): void {
    this.#log('error', args)
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args)
  }
  info(...args: unknown[]): void {
    this.#log('info', args)
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args)
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args)
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options)
  }
}

/** A `childLoggerFactory` for fastify: the child logger is made on the request's first log line. */
export function lazyRequestLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildOptions,
): FastifyBaseLogger {
  if (options.level) return logger.child(bindings, options)
  return new RequestLogger(logger, bindings) as unknown as FastifyBaseLogger
}
