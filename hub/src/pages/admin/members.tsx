/** Members and their roles (admins change roles; only the owner grants admin, which the server enforces). */
import { useState } from 'react'
import { put } from '../../api'
import { Badge, Button, Card, ErrorNotice, Loading, Select, Table, Td } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import { type CommunityRole, type Member, ROLE_RANK } from '../../types'
import type { SectionProps } from '../community-admin'

const ROLES: CommunityRole[] = ['member', 'moderator', 'admin', 'owner']

function MemberRow(props: { m: Member; base: string; canEdit: boolean; onSaved: () => void }) {
  const { m } = props
  const [role, setRole] = useState<CommunityRole>(m.role)
  const who = m.display_name ?? m.platform_user_id
  const save = useAction(async () => {
    await put(
      `${props.base}/members/${encodeURIComponent(m.platform)}/${encodeURIComponent(m.platform_user_id)}/role`,
      { role },
    )
    props.onSaved()
  })
  return (
    <tr>
      <Td>{who}</Td>
      <Td>{m.platform}</Td>
      <Td>{m.reputation}</Td>
      <Td>
        {props.canEdit ? (
          <div className="flex flex-wrap items-end gap-2">
            <Select
              label={`Role of ${who}`}
              options={ROLES}
              value={role}
              onChange={(e) => setRole(e.target.value as CommunityRole)}
            />
            <Button
              variant="secondary"
              busy={save.busy}
              disabled={role === m.role}
              onClick={() => void save.run()}
              aria-label={`Save role of ${who}`}
            >
              Save
            </Button>
          </div>
        ) : (
          <Badge tone={m.role === 'member' ? 'slate' : 'indigo'}>{m.role}</Badge>
        )}
        <ErrorNotice error={save.error} />
      </Td>
    </tr>
  )
}

export function Members({ base, role }: SectionProps) {
  const list = useApi<{ members: Member[] }>(`${base}/members`)
  const members = list.data?.members ?? []
  return (
    <Card title="Members and roles">
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error} />
      <Table
        caption="Members"
        head={['Member', 'Platform', 'Points', 'Role']}
        rows={members.length}
        empty="No member yet."
      >
        {members.map((m) => (
          <MemberRow
            key={`${m.platform}:${m.platform_user_id}`}
            m={m}
            base={base}
            canEdit={ROLE_RANK[role] >= ROLE_RANK.admin}
            onSaved={list.reload}
          />
        ))}
      </Table>
    </Card>
  )
}
