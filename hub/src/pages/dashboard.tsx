/** The member dashboard: my communities with my role and points, my linked accounts (link / unlink). */
import { del } from '../api'
import { Badge, Button, Card, ErrorNotice, Loading, PageHeader, Table, Td } from '../components/ui'
import { useAction, useApi } from '../hooks'
import { Link, usePageTitle } from '../router'
import { useSession } from '../session'
import { type Account, type MyCommunity, ROLE_RANK } from '../types'

const NAMES: Record<string, string> = { discord: 'Discord', twitch: 'Twitch', slack: 'Slack' }

export function Dashboard() {
  usePageTitle('Dashboard')
  const { me, refresh } = useSession()
  const mine = useApi<{ communities: MyCommunity[] }>('/api/v1/me/communities')
  const providers = useApi<{ providers: { platform: string }[] }>('/api/v1/auth/providers')
  const unlink = useAction(async (a: Account) => {
    await del(`/api/v1/me/identities/${encodeURIComponent(a.platform)}/${encodeURIComponent(a.platform_user_id)}`)
    await refresh()
  })
  if (!me) return <Loading />
  const communities = mine.data?.communities ?? []
  const points = communities.reduce((sum, c) => sum + c.reputation, 0)
  const linked = new Set(me.identities.map((i) => i.platform))
  return (
    <>
      <PageHeader title={`Hello, ${me.display_name}`} subtitle="Your communities, accounts and points." />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Card title="My communities">
            <ErrorNotice error={mine.error} />
            {mine.loading && !mine.data && <Loading />}
            <Table
              caption="My communities"
              head={['Community', 'Role', 'Points', '']}
              rows={communities.length}
              empty="You are in no community yet."
            >
              {communities.map((c) => (
                <tr key={c.id}>
                  <Td>
                    <Link href={`/c/${encodeURIComponent(c.id)}`} className="font-medium text-indigo-800 underline">
                      {c.display_name}
                    </Link>
                  </Td>
                  <Td>
                    <Badge tone={c.role === 'member' ? 'slate' : 'indigo'}>{c.role}</Badge>
                  </Td>
                  <Td>{c.reputation}</Td>
                  <Td>
                    {(ROLE_RANK[c.role] >= ROLE_RANK.moderator || me.platform_admin) && (
                      <Link
                        href={`/c/${encodeURIComponent(c.id)}/admin`}
                        className="font-medium text-indigo-800 underline"
                        aria-label={`Manage ${c.display_name}`}
                      >
                        Manage
                      </Link>
                    )}
                  </Td>
                </tr>
              ))}
            </Table>
          </Card>
        </div>
        <div className="flex flex-col gap-6">
          <Card title="My points">
            <p className="text-4xl font-bold text-slate-900">{points}</p>
            <p className="text-sm text-slate-700">
              reputation over {communities.length} {communities.length === 1 ? 'community' : 'communities'}
            </p>
          </Card>
          <Card title="Linked accounts">
            <ul className="flex flex-col gap-2">
              {me.identities.map((a) => (
                <li key={`${a.platform}:${a.platform_user_id}`} className="flex items-center justify-between gap-2">
                  <span>
                    <Badge>{NAMES[a.platform] ?? a.platform}</Badge>{' '}
                    <span className="text-sm">{a.display_name ?? a.user_name}</span>
                  </span>
                  <Button
                    variant="secondary"
                    aria-label={`Unlink ${NAMES[a.platform] ?? a.platform} account ${a.user_name}`}
                    disabled={me.identities.length < 2}
                    busy={unlink.busy}
                    onClick={() => void unlink.run(a)}
                  >
                    Unlink
                  </Button>
                </li>
              ))}
            </ul>
            <ErrorNotice error={unlink.error} />
            <div className="mt-4 flex flex-wrap gap-2">
              {providers.data?.providers.map((p) => (
                <a
                  key={p.platform}
                  href={`/api/v1/auth/oauth/${p.platform}?link=1&next=%2Fdashboard`}
                  className="rounded-md px-3 py-2 text-sm font-semibold text-indigo-800 ring-1 ring-indigo-300"
                >
                  Connect {linked.has(p.platform) ? 'another' : 'your'} {NAMES[p.platform] ?? p.platform} account
                </a>
              ))}
            </div>
          </Card>
        </div>
      </div>
    </>
  )
}
