/** Labels on users, channels (entities) and the community: find the targets of a label, add, remove. */
import { useState } from 'react'
import { api, post } from '../../api'
import { Button, Card, ErrorNotice, Loading, Select, Table, Td, TextField } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { Label } from '../../types'

/** A target carrying the label searched for (labels/search of the labels module). */
type Found = Label & { target_name?: string | null; labels?: string[] }
import type { SectionProps } from '../community-admin'

export function Labels({ base }: SectionProps) {
  const [filter, setFilter] = useState('')
  const [shown, setShown] = useState('')
  const list = useApi<{ labels: Found[] }>(shown ? `${base}/labels?label=${encodeURIComponent(shown)}` : null)
  const [label, setLabel] = useState('')
  const [targetType, setTargetType] = useState('user')
  const [targetId, setTargetId] = useState('')
  const add = useAction(async () => {
    await post(`${base}/labels`, { label, target_type: targetType, target_id: targetId })
    setShown(label)
    setFilter(label)
    setLabel('')
    setTargetId('')
    list.reload()
  })
  const remove = useAction(async (l: Label) => {
    await api('DELETE', `${base}/labels`, { label: shown, target_type: l.target_type, target_id: l.target_id })
    list.reload()
  })
  const labels = list.data?.labels ?? []
  return (
    <Card title="Labels">
      <form
        aria-label="Find a label"
        className="mb-4 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault()
          setShown(filter.trim())
        }}
      >
        <TextField
          label="Show who carries the label"
          required
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <Button type="submit" variant="secondary">
          Show
        </Button>
      </form>
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error ?? remove.error} />
      {shown && (
        <Table
          caption={`Targets labelled ${shown}`}
          head={['On', 'Target', 'Labels', '']}
          rows={labels.length}
          empty={`Nothing carries “${shown}”.`}
        >
          {labels.map((l) => (
            <tr key={`${l.target_type}|${l.target_id}`}>
              <Td>{l.target_type}</Td>
              <Td className="break-all">
                {l.target_name ?? ''} <span className="font-mono text-xs">{l.target_id}</span>
              </Td>
              <Td>{(l.labels ?? [l.label]).join(', ')}</Td>
              <Td>
                <Button
                  variant="secondary"
                  busy={remove.busy}
                  onClick={() => void remove.run(l)}
                  aria-label={`Remove label ${shown} from ${l.target_id}`}
                >
                  Remove
                </Button>
              </Td>
            </tr>
          ))}
        </Table>
      )}
      <form
        aria-label="Add a label"
        className="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault()
          void add.run()
        }}
      >
        <TextField label="Label" required maxLength={64} value={label} onChange={(e) => setLabel(e.target.value)} />
        <Select
          label="On"
          options={['user', 'entity', 'community']}
          value={targetType}
          onChange={(e) => setTargetType(e.target.value)}
        />
        <TextField
          label="Target"
          hint="user id, platform:server:channel, or community id"
          required
          value={targetId}
          onChange={(e) => setTargetId(e.target.value)}
        />
        <div className="flex flex-col gap-2 sm:col-span-3">
          <ErrorNotice error={add.error} />
          <div>
            <Button type="submit" busy={add.busy}>
              Add label
            </Button>
          </div>
        </div>
      </form>
    </Card>
  )
}
