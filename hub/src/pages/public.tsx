/** Public pages: home, browse communities, one community with its reputation leaderboard. */
import { useState } from 'react'
import { Badge, Card, ErrorNotice, Loading, PageHeader, Table, Td, TextField } from '../components/ui'
import { useApi } from '../hooks'
import { Link, usePageTitle } from '../router'
import { useSession } from '../session'
import type { CommunitySummary, LeaderRow } from '../types'

export function Home() {
  usePageTitle('Home')
  const { me } = useSession()
  const home = useApi<{ communities: number; members: number; modules: string[] }>('/api/v1/public/home')
  return (
    <>
      <PageHeader title="One bot for every chat" subtitle="Twitch, Discord and Slack, one identity per person." />
      <div className="mb-6 flex flex-wrap gap-3">
        <Link
          href="/communities"
          className="rounded-md bg-indigo-700 px-4 py-2 font-semibold text-white hover:bg-indigo-800"
        >
          Browse communities
        </Link>
        {me ? (
          <Link href="/dashboard" className="rounded-md px-4 py-2 font-semibold text-indigo-800 ring-1 ring-indigo-300">
            Your dashboard
          </Link>
        ) : (
          <Link href="/login" className="rounded-md px-4 py-2 font-semibold text-indigo-800 ring-1 ring-indigo-300">
            Log in
          </Link>
        )}
      </div>
      <ErrorNotice error={home.error} />
      {home.data && (
        <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          {[
            ['Communities', home.data.communities],
            ['Members', home.data.members],
            ['Modules running', home.data.modules.length],
          ].map(([k, v]) => (
            <div key={k} className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
              <dt className="text-sm text-slate-700">{k}</dt>
              <dd className="text-3xl font-bold text-slate-900">{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {home.data && home.data.modules.length > 0 && (
        <div className="mt-6">
          <Card title="Modules">
            <ul className="flex flex-wrap gap-2">
              {home.data.modules.map((m) => (
                <li key={m}>
                  <Badge tone="indigo">{m}</Badge>
                </li>
              ))}
            </ul>
          </Card>
        </div>
      )}
    </>
  )
}

export function Browse() {
  usePageTitle('Communities')
  const [q, setQ] = useState('')
  const list = useApi<{ communities: CommunitySummary[] }>(
    `/api/v1/public/communities${q ? `?q=${encodeURIComponent(q)}` : ''}`,
  )
  return (
    <>
      <PageHeader title="Communities" />
      <search className="mb-4 block max-w-md">
        <TextField label="Search communities" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </search>
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.communities.length === 0 && <p className="text-slate-700">No community found.</p>}
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {list.data?.communities.map((c) => (
          <li key={c.id} className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <h2 className="text-lg font-semibold">
              <Link
                href={`/c/${encodeURIComponent(c.id)}`}
                className="text-indigo-800 underline-offset-2 hover:underline"
              >
                {c.display_name}
              </Link>
            </h2>
            {c.description && <p className="mt-1 text-sm text-slate-700">{c.description}</p>}
            <p className="mt-2 text-sm text-slate-700">{c.member_count} members</p>
          </li>
        ))}
      </ul>
    </>
  )
}

export function CommunityPage(props: { community: string }) {
  const data = useApi<{ community: CommunitySummary; leaderboard: LeaderRow[] }>(
    `/api/v1/public/communities/${encodeURIComponent(props.community)}`,
  )
  usePageTitle(data.data?.community.display_name ?? props.community)
  const { me } = useSession()
  if (data.error) return <ErrorNotice error={data.error} />
  if (!data.data) return <Loading />
  const { community: c, leaderboard } = data.data
  return (
    <>
      <PageHeader
        title={c.display_name}
        subtitle={c.description ?? `${c.member_count} members`}
        actions={
          me && (
            <Link
              href={`/c/${encodeURIComponent(c.id)}/admin`}
              className="rounded-md px-4 py-2 text-sm font-semibold text-indigo-800 ring-1 ring-indigo-300"
            >
              Manage
            </Link>
          )
        }
      />
      <Card title="Leaderboard">
        <Table
          caption={`Reputation leaderboard of ${c.display_name}`}
          head={['Rank', 'Name', 'Platform', 'Points']}
          rows={leaderboard.length}
          empty="No points yet."
        >
          {leaderboard.map((r) => (
            <tr key={`${r.rank}-${r.user_id ?? r.display_name}`}>
              <Td>{r.rank}</Td>
              <Td>{r.display_name ?? r.user_id ?? 'unknown'}</Td>
              <Td>{r.platform}</Td>
              <Td className="font-semibold">{r.score}</Td>
            </tr>
          ))}
        </Table>
      </Card>
    </>
  )
}
