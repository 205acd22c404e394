/**
 * A small history router: the current path as React state, <Link> for in-app navigation, and match() for
 * patterns like `/c/:slug/admin/:section`. The server answers every non-API GET with index.html.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useSyncExternalStore } from 'react'

const listeners = new Set<() => void>()
const notify = () => {
  for (const l of listeners) l()
}
window.addEventListener('popstate', notify)

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** The current location as `pathname + search`. */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, () => location.pathname + location.search)
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  notify()
}

/** Params of `path` for `pattern` (`:name` segments, a trailing `?` makes the last one optional), or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const got = (path.split('?')[0] ?? '').split('/').filter(Boolean)
  const optional = want.at(-1)?.endsWith('?') === true
  if (got.length > want.length || got.length < want.length - (optional ? 1 : 0)) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!.replace(/\?$/, '')
    const g = got[i]
    if (w.startsWith(':')) {
      if (g !== undefined) params[w.slice(1)] = decodeURIComponent(g)
    } else if (w !== g) return null
  }
  return params
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { onClick, href, ...rest } = props
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    if (props.target || href.startsWith('http')) return
    e.preventDefault()
    navigate(href)
  }
  return <a href={href} {...rest} onClick={click} />
}

/** Sets the document title and moves focus to the main heading after each navigation (screen readers). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · WaddleBot hub`
  }, [title])
}
