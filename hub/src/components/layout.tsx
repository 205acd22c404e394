/** The page frame: a skip link, the header with the navigation for this user's roles, and the main landmark. */
import { type ReactNode, useEffect, useRef } from 'react'
import { Link, useLocation } from '../router'
import { useSession } from '../session'

function NavLink(props: { href: string; children: ReactNode; current: boolean }) {
  return (
    <Link
      href={props.href}
      aria-current={props.current ? 'page' : undefined}
      className={`rounded-md px-3 py-2 text-sm font-medium ${props.current ? 'bg-indigo-800 text-white' : 'text-indigo-50 hover:bg-indigo-800'}`}
    >
      {props.children}
    </Link>
  )
}

export function Layout(props: { children: ReactNode }) {
  const path = useLocation().split('?')[0] ?? '/'
  const { me, logout } = useSession()
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    main.current?.focus()
    window.scrollTo(0, 0)
  }, [path])
  const at = (prefix: string) => (prefix === '/' ? path === '/' : path === prefix || path.startsWith(`${prefix}/`))
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2 focus:text-indigo-800"
      >
        Skip to content
      </a>
      <header className="bg-indigo-700">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <Link href="/" className="mr-2 text-lg font-bold text-white">
            WaddleBot <span className="font-normal text-indigo-100">hub</span>
          </Link>
          <nav aria-label="Main" className="flex flex-1 flex-wrap items-center gap-1">
            <NavLink href="/communities" current={at('/communities') || at('/c')}>
              Communities
            </NavLink>
            {me && (
              <NavLink href="/dashboard" current={at('/dashboard')}>
                Dashboard
              </NavLink>
            )}
            {me?.platform_admin && (
              <NavLink href="/admin" current={at('/admin')}>
                Platform admin
              </NavLink>
            )}
          </nav>
          <div className="flex items-center gap-2">
            {me === null && (
              <Link href="/login" className="rounded-md bg-white px-3 py-2 text-sm font-semibold text-indigo-800">
                Log in
              </Link>
            )}
            {me && (
              <>
                <span className="hidden text-sm text-indigo-50 sm:inline">{me.display_name}</span>
                <button
                  type="button"
                  onClick={() => void logout()}
                  className="rounded-md px-3 py-2 text-sm font-medium text-white ring-1 ring-indigo-300 hover:bg-indigo-800"
                >
                  Log out
                </button>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 outline-none">
        {props.children}
      </main>
      <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-700">
        WaddleBot · self-hosted, no trackers
      </footer>
    </div>
  )
}
