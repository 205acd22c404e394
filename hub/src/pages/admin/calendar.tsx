/** Calendar approvals: events waiting for a moderator, approve or reject. */
import { post } from '../../api'
import { Button, Card, ErrorNotice, Loading, Table, Td } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { SectionProps } from '../community-admin'

type CalendarEvent = {
  id: string | number
  title: string
  starts_at?: number | string
  creator?: string
  [k: string]: unknown
}

const when = (v: unknown) =>
  typeof v === 'number' ? new Date(v).toLocaleString() : typeof v === 'string' ? new Date(v).toLocaleString() : ''

export function Calendar({ base }: SectionProps) {
  const list = useApi<{ events: CalendarEvent[] }>(`${base}/calendar/pending`)
  const decide = useAction(async (e: CalendarEvent, verdict: 'approve' | 'reject') => {
    await post(`${base}/calendar/${encodeURIComponent(String(e.id))}/${verdict}`)
    list.reload()
  })
  const events = list.data?.events ?? []
  return (
    <Card title="Events waiting for approval">
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error ?? decide.error} />
      <Table
        caption="Pending events"
        head={['Event', 'Starts', 'Created by', '']}
        rows={events.length}
        empty="No event is waiting."
      >
        {events.map((e) => (
          <tr key={String(e.id)}>
            <Td className="font-semibold">{e.title}</Td>
            <Td>{when(e.starts_at ?? e.start ?? e.starts)}</Td>
            <Td>{String(e.creator ?? e.created_by ?? '')}</Td>
            <Td>
              <div className="flex gap-2">
                <Button
                  busy={decide.busy}
                  onClick={() => void decide.run(e, 'approve')}
                  aria-label={`Approve ${e.title}`}
                >
                  Approve
                </Button>
                <Button
                  variant="danger"
                  busy={decide.busy}
                  onClick={() => void decide.run(e, 'reject')}
                  aria-label={`Reject ${e.title}`}
                >
                  Reject
                </Button>
              </div>
            </Td>
          </tr>
        ))}
      </Table>
    </Card>
  )
}
