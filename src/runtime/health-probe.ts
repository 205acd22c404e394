/** A probe of a module's `GET /health`, shared by the router's health watch and `waddlebot status`. */

/** What one /health probe found. */
export interface ProbeResult {
  readonly status: 'ok' | 'degraded' | 'down'
  readonly detail?: string
}

export type HealthProbe = (url: string) => Promise<ProbeResult>

/**
 * GET `<url>/health`: 200 → ok (with the module's `detail.warnings`, if any, as the detail), or degraded when the
 * module says so (`status: degraded`, the reason in `detail.degraded`); 503 (or another answer) → degraded with
 * the failing part; no answer → down.
 */
export async function fetchHealth(url: string, timeoutMs = 2000): Promise<ProbeResult> {
  let res: Response
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code
    return { status: 'down', detail: `unreachable at ${url}${cause ? `: ${cause}` : ''}` }
  }
  const body = (await res.json().catch(() => ({}))) as {
    failing?: string
    error?: string
    status?: string
    detail?: { warnings?: unknown; degraded?: string }
  }
  const warnings = body.detail?.warnings
  if (res.ok && body.status === 'degraded') return { status: 'degraded', detail: body.detail?.degraded ?? 'degraded' }
  if (res.ok)
    return Array.isArray(warnings) && warnings.length > 0
      ? { status: 'ok', detail: warnings.join('; ') }
      : { status: 'ok' }
  return {
    status: 'degraded',
    detail: body.failing ? `${body.failing}: ${body.error ?? 'failing'}` : `HTTP ${res.status}`,
  }
}
