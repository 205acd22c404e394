import { useCallback, useEffect, useState } from 'react'
import { get } from './api'

const primed = new Map<string, Promise<unknown>>()

/** Starts a GET before React renders (the first page's data); the first useApi of that path takes it over. */
export function prime(path: string): void {
  const p = get(path)
  p.catch(() => undefined)
  primed.set(path, p)
}

export type Loaded<T> = { data: T | undefined; error: unknown; loading: boolean; reload: () => void }

/** GETs `path` (skipped when null) and reloads on demand. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: path !== null,
  })
  const [tick, setTick] = useState(0)
  const reload = useCallback(() => setTick((t) => t + 1), [])
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (path === null) return
    let live = true
    setState((s) => ({ ...s, loading: true }))
    const started = primed.get(path) as Promise<T> | undefined
    primed.delete(path)
    ;(started ?? get<T>(path)).then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    )
    return () => {
      live = false
    }
  }, [path, tick])
  return { ...state, reload }
}

/** Runs an async action, keeping its busy flag and error for the form that started it. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const run = async (...args: A): Promise<boolean> => {
    setBusy(true)
    setError(undefined)
    try {
      await fn(...args)
      return true
    } catch (e) {
      setError(e)
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}
