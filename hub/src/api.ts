/**
 * The hub's fetch client: JSON in and out, the session cookie, and the CSRF token the server expects on every
 * state-changing request. Errors come back as ApiError with the server's code, message, hint and field
 * (docs/errors.md: `{"error":{"code","message","hint","field"?}}`).
 */
export const CSRF_HEADER = 'x-csrf-token'
const CSRF_COOKIE = 'wb_csrf'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

let csrfToken: string | undefined

/** The token from the last session answer (the server also mirrors it in a readable cookie). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token
}

function csrf(): string | undefined {
  if (csrfToken) return csrfToken
  const m = document.cookie.match(new RegExp(`(?:^|; )${CSRF_COOKIE}=([^;]*)`))
  return m?.[1] ? decodeURIComponent(m[1]) : undefined
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrf()
    if (token) headers[CSRF_HEADER] = token
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; hint?: string; field?: string } })?.error
    throw new ApiError(
      res.status,
      e?.code ?? 'WB_HTTP',
      e?.message ?? `${res.status} ${res.statusText}`,
      e?.hint,
      e?.field,
    )
  }
  return json as T
}

export const get = <T>(path: string) => api<T>('GET', path)
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body)
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body)
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body)
export const del = <T>(path: string) => api<T>('DELETE', path)
