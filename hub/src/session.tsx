/** The logged-in user (or null), loaded from GET /api/v1/auth/session, which also hands out the CSRF token. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react'
import { get, post, setCsrfToken } from './api'
import type { Me } from './types'

type Session = { me: Me | null | undefined; refresh: () => Promise<void>; logout: () => Promise<void> }
const Ctx = createContext<Session>({ me: undefined, refresh: async () => {}, logout: async () => {} })

export function SessionProvider(props: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const refresh = useCallback(async () => {
    try {
      const s = await get<{ user: Me | null; csrf_token: string }>('/api/v1/auth/session')
      setCsrfToken(s.csrf_token)
      setMe(s.user)
    } catch {
      setMe(null)
    }
  }, [])
  const logout = useCallback(async () => {
    await post('/api/v1/auth/logout').catch(() => undefined)
    await refresh()
  }, [refresh])
  useEffect(() => {
    void refresh()
  }, [refresh])
  return <Ctx.Provider value={{ me, refresh, logout }}>{props.children}</Ctx.Provider>
}

export const useSession = () => useContext(Ctx)
