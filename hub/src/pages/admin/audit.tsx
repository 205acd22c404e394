/** The audit log: who changed what, newest first. Shared by community admin and platform admin. */
import { Card, ErrorNotice, Loading, Table, Td } from '../../components/ui'
import { useApi } from '../../hooks'
import type { AuditRow } from '../../types'
import type { SectionProps } from '../community-admin'

export function AuditTable(props: { path: string }) {
  const list = useApi<{ entries: AuditRow[] }>(props.path)
  const entries = list.data?.entries ?? []
  return (
    <Card title="Audit log">
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error} />
      <Table
        caption="Audit log"
        head={['When', 'Who', 'Action', 'Target', 'Details']}
        rows={entries.length}
        empty="Nothing recorded yet."
      >
        {entries.map((e) => (
          <tr key={String(e.id)}>
            <Td className="whitespace-nowrap">{new Date(e.created_at).toLocaleString()}</Td>
            <Td className="break-all">{e.actor}</Td>
            <Td className="font-mono">{e.action}</Td>
            <Td className="break-all">{[e.target_type, e.target_id].filter(Boolean).join(' ')}</Td>
            <Td className="break-all font-mono text-xs">
              {e.details === null || e.details === undefined ? '' : JSON.stringify(e.details)}
            </Td>
          </tr>
        ))}
      </Table>
    </Card>
  )
}

export const Audit = ({ base }: SectionProps) => <AuditTable path={`${base}/audit`} />
