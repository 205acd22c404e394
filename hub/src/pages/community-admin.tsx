/**
 * Community admin: one page per section, the sections shown by the caller's role in this community
 * (moderators: moderation, members, labels, calendar, live; admins and owners: everything). The server
 * checks every call again; hiding is only for clarity.
 */
import { Loading, Notice, PageHeader } from '../components/ui'
import { useApi } from '../hooks'
import { Link, usePageTitle } from '../router'
import { useSession } from '../session'
import { type CommunityRole, type MyCommunity, ROLE_RANK } from '../types'
import { Aliases } from './admin/aliases'
import { Audit } from './admin/audit'
import { Calendar } from './admin/calendar'
import { Commands } from './admin/commands'
import { Labels } from './admin/labels'
import { LiveView } from './admin/live'
import { Members } from './admin/members'
import { Moderation } from './admin/moderation'
import { Modules } from './admin/modules'
import { Overlays } from './admin/overlays'
import { Reputation } from './admin/reputation'
import { Timers } from './admin/timers'

export type SectionProps = { base: string; role: CommunityRole; community: MyCommunity }

const SECTIONS: { key: string; label: string; min: CommunityRole; Page: (p: SectionProps) => React.ReactNode }[] = [
  { key: 'moderation', label: 'Moderation', min: 'moderator', Page: Moderation },
  { key: 'commands', label: 'Commands', min: 'admin', Page: Commands },
  { key: 'aliases', label: 'Aliases', min: 'admin', Page: Aliases },
  { key: 'modules', label: 'Modules', min: 'admin', Page: Modules },
  { key: 'overlays', label: 'Overlays', min: 'admin', Page: Overlays },
  { key: 'members', label: 'Members', min: 'moderator', Page: Members },
  { key: 'labels', label: 'Labels', min: 'moderator', Page: Labels },
  { key: 'reputation', label: 'Reputation', min: 'admin', Page: Reputation },
  { key: 'calendar', label: 'Calendar', min: 'moderator', Page: Calendar },
  { key: 'timers', label: 'Timers', min: 'admin', Page: Timers },
  { key: 'audit', label: 'Audit log', min: 'admin', Page: Audit },
  { key: 'live', label: 'Live', min: 'moderator', Page: LiveView },
]

export function CommunityAdmin(props: { community: string; section: string | undefined }) {
  const { me } = useSession()
  const mine = useApi<{ communities: MyCommunity[] }>('/api/v1/me/communities')
  const found = mine.data?.communities.find((c) => c.name === props.community || c.id === props.community)
  const role: CommunityRole | undefined = me?.platform_admin ? 'owner' : found?.role
  const visible = SECTIONS.filter((s) => role && ROLE_RANK[role] >= ROLE_RANK[s.min])
  const current = visible.find((s) => s.key === props.section) ?? visible[0]
  usePageTitle(`${current?.label ?? 'Admin'} · ${found?.display_name ?? props.community}`)
  if (!mine.data && !mine.error) return <Loading />
  const community: MyCommunity = found ?? {
    id: props.community,
    name: props.community,
    display_name: props.community,
    description: null,
    member_count: 0,
    role: 'owner',
    reputation: 0,
  }
  if (!role || !current)
    return (
      <Notice kind="error">You do not manage {props.community}: only its moderators and admins see this page.</Notice>
    )
  const base = `/api/v1/communities/${encodeURIComponent(community.id)}`
  const href = (key: string) => `/c/${encodeURIComponent(props.community)}/admin/${key}`
  return (
    <>
      <PageHeader
        title={community.display_name}
        subtitle={
          <>
            Community admin · your role: <strong>{role}</strong>
          </>
        }
      />
      <div className="flex flex-col gap-6 md:flex-row">
        <nav aria-label="Community admin" className="md:w-48 md:shrink-0">
          <ul className="flex gap-1 overflow-x-auto pb-2 md:flex-col md:overflow-visible">
            {visible.map((s) => (
              <li key={s.key}>
                <Link
                  href={href(s.key)}
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
          <current.Page key={current.key} base={base} role={role} community={community} />
        </div>
      </div>
    </>
  )
}
