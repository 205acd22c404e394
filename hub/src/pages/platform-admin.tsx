/** Platform admin: every community, hub users, modules, platform admins, system health, the audit log, live. */
import { useState } from 'react'
import { del, post } from '../api'
import { Badge, Button, Card, ErrorNotice, Loading, Notice, PageHeader, Table, Td, TextField } from '../components/ui'
import { useAction, useApi } from '../hooks'
import { Link, usePageTitle } from '../router'
import { useSession } from '../session'
import type { Account, CommunitySummary, HealthRow } from '../types'
import { AuditTable } from './admin/audit'
import { LiveStream } from './admin/live'

function Communities() {
  const list = useApi<{ communities: CommunitySummary[] }>('/api/v1/platform/communities')
  const rows = list.data?.communities ?? []
  return (
    <Card title="Communities">
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error} />
      <Table caption="Communities" head={['Community', 'Id', 'Members', '']} rows={rows.length}>
        {rows.map((c) => (
          <tr key={c.id}>
            <Td>
              <Link href={`/c/${encodeURIComponent(c.id)}`} className="font-medium text-indigo-800 underline">
                {c.display_name}
              </Link>
            </Td>
            <Td className="font-mono text-xs">{c.id}</Td>
            <Td>{c.member_count}</Td>
            <Td>
              <Link
                href={`/c/${encodeURIComponent(c.id)}/admin`}
                className="text-indigo-800 underline"
                aria-label={`Manage ${c.display_name}`}
              >
                Manage
              </Link>
            </Td>
          </tr>
        ))}
      </Table>
    </Card>
  )
}

function Users() {
  const [q, setQ] = useState('')
  const list = useApi<{ users: { user_id: string; identities: Account[] }[] }>(
    `/api/v1/platform/users${q ? `?q=${encodeURIComponent(q)}` : ''}`,
  )
  const rows = list.data?.users ?? []
  return (
    <Card title="Users">
      <div className="mb-3 max-w-sm">
        <TextField label="Search users" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <ErrorNotice error={list.error} />
      <Table caption="Users" head={['User', 'Accounts']} rows={rows.length}>
        {rows.map((u) => (
          <tr key={u.user_id}>
            <Td className="font-mono text-xs">{u.user_id}</Td>
            <Td>
              <ul className="flex flex-wrap gap-2">
                {u.identities.map((a) => (
                  <li key={`${a.platform}:${a.platform_user_id}`}>
                    <Badge>{a.platform}</Badge> {a.display_name ?? a.user_name}
                  </li>
                ))}
              </ul>
            </Td>
          </tr>
        ))}
      </Table>
    </Card>
  )
}

function Modules() {
  const list = useApi<{ modules: { name: string; url: string; local: boolean }[] }>('/api/v1/platform/modules')
  const rows = list.data?.modules ?? []
  return (
    <Card title="Modules">
      <ErrorNotice error={list.error} />
      <Table caption="Modules" head={['Module', 'URL', 'Runs']} rows={rows.length}>
        {rows.map((m) => (
          <tr key={m.name}>
            <Td className="font-semibold">{m.name}</Td>
            <Td className="break-all font-mono text-xs">{m.url}</Td>
            <Td>{m.local ? 'in this process' : 'elsewhere'}</Td>
          </tr>
        ))}
      </Table>
    </Card>
  )
}

type Admin = { id: string | number; user_id: string | null; platform: string; platform_user_id: string }

function Admins() {
  const list = useApi<{ admins: Admin[] }>('/api/v1/platform/admins')
  const [user, setUser] = useState('')
  const grant = useAction(async () => {
    await post('/api/v1/platform/admins', { user })
    setUser('')
    list.reload()
  })
  const revoke = useAction(async (a: Admin) => {
    await del(`/api/v1/platform/admins/${encodeURIComponent(String(a.id))}`)
    list.reload()
  })
  const rows = list.data?.admins ?? []
  return (
    <Card title="Platform admins">
      <ErrorNotice error={list.error ?? revoke.error} />
      <Table caption="Platform admins" head={['Account', 'User', '']} rows={rows.length}>
        {rows.map((a) => (
          <tr key={String(a.id)}>
            <Td>
              {a.platform}:{a.platform_user_id}
            </Td>
            <Td className="font-mono text-xs">{a.user_id ?? ''}</Td>
            <Td>
              <Button
                variant="danger"
                busy={revoke.busy}
                disabled={rows.length < 2}
                onClick={() => void revoke.run(a)}
                aria-label={`Revoke platform admin ${a.platform}:${a.platform_user_id}`}
              >
                Revoke
              </Button>
            </Td>
          </tr>
        ))}
      </Table>
      <form
        aria-label="Grant platform admin"
        className="mt-4 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault()
          void grant.run()
        }}
      >
        <TextField
          label="User"
          hint="platform:name or a user id"
          required
          value={user}
          onChange={(e) => setUser(e.target.value)}
        />
        <Button type="submit" busy={grant.busy}>
          Grant
        </Button>
      </form>
      <ErrorNotice error={grant.error} />
    </Card>
  )
}

function Health() {
  const list = useApi<{ modules: HealthRow[] }>('/api/v1/platform/health')
  const rows = list.data?.modules ?? []
  const tone = { ok: 'green', degraded: 'amber', down: 'red' } as const
  return (
    <Card
      title="System health"
      actions={
        <Button variant="secondary" onClick={list.reload}>
          Refresh
        </Button>
      }
    >
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error} />
      {rows.some((r) => r.status !== 'ok') && <Notice kind="error">Some modules are not healthy.</Notice>}
      <Table caption="Module health" head={['Module', 'Status', 'URL', 'Metrics']} rows={rows.length}>
        {rows.map((r) => (
          <tr key={r.module}>
            <Td className="font-semibold">{r.module}</Td>
            <Td>
              <Badge tone={tone[r.status]}>{r.status}</Badge>
            </Td>
            <Td className="break-all font-mono text-xs">{r.url}</Td>
            <Td>{r.metrics_lines ?? ''}</Td>
          </tr>
        ))}
      </Table>
    </Card>
  )
}

const SECTIONS = [
  { key: 'communities', label: 'Communities', Page: Communities },
  { key: 'users', label: 'Users', Page: Users },
  { key: 'modules', label: 'Modules', Page: Modules },
  { key: 'admins', label: 'Platform admins', Page: Admins },
  { key: 'health', label: 'System health', Page: Health },
  { key: 'audit', label: 'Audit log', Page: () => <AuditTable path="/api/v1/platform/audit" /> },
  {
    key: 'live',
    label: 'Live',
    Page: () => <LiveStream path="/api/v1/platform/stream" title="Live events, every community" />,
  },
]

export function PlatformAdmin(props: { section: string | undefined }) {
  const { me } = useSession()
  const current = SECTIONS.find((s) => s.key === props.section) ?? SECTIONS[0]!
  usePageTitle(`${current.label} · Platform admin`)
  if (!me?.platform_admin) return <Notice kind="error">Only platform admins see this page.</Notice>
  return (
    <>
      <PageHeader title="Platform admin" />
      <div className="flex flex-col gap-6 md:flex-row">
        <nav aria-label="Platform admin" className="md:w-48 md:shrink-0">
          <ul className="flex gap-1 overflow-x-auto pb-2 md:flex-col md:overflow-visible">
            {SECTIONS.map((s) => (
              <li key={s.key}>
                <Link
                  href={`/admin/${s.key}`}
                  aria-current={s.key === current.key ? 'page' : undefined}
                  className={`block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium ${s.key === current.key ? 'bg-indigo-700 text-white' : 'text-slate-800 hover:bg-slate-200'}`}
                >
                  {s.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="min-w-0 flex-1">
          <current.Page key={current.key} />
        </div>
      </div>
    </>
  )
}
