/** Timers: a line posted every N minutes while chat is active (docs/memories.md). */
import { useState } from 'react'
import { del, patch, post } from '../../api'
import { Button, Card, Checkbox, ErrorNotice, Loading, Table, Td, TextField } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { SectionProps } from '../community-admin'

type Timer = {
  id: string | number
  name?: string
  minutes?: number
  text?: string
  enabled?: boolean
  [k: string]: unknown
}

export function Timers({ base }: SectionProps) {
  const list = useApi<{ timers: Timer[] }>(`${base}/timers`)
  const [entity, setEntity] = useState('')
  const [name, setName] = useState('')
  const [minutes, setMinutes] = useState('15')
  const [text, setText] = useState('')
  const add = useAction(async () => {
    await post(`${base}/timers`, { entity_id: entity, name, minutes: Number(minutes), text })
    setName('')
    setText('')
    list.reload()
  })
  const change = useAction(async (t: Timer, body: Record<string, unknown> | null) => {
    const path = `${base}/timers/${encodeURIComponent(String(t.id))}`
    await (body ? patch(path, body) : del(path))
    list.reload()
  })
  const timers = list.data?.timers ?? []
  return (
    <Card title="Timers">
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error ?? change.error} />
      <Table
        caption="Timers"
        head={['Name', 'Channel', 'Every', 'Text', 'On', '']}
        rows={timers.length}
        empty="No timer yet."
      >
        {timers.map((t) => (
          <tr key={String(t.id)}>
            <Td className="font-semibold">{t.name ?? String(t.id)}</Td>
            <Td className="break-all font-mono text-xs">{String(t.entity_id ?? '')}</Td>
            <Td>{t.minutes !== undefined ? `${t.minutes} min` : ''}</Td>
            <Td className="break-all">{t.text ?? ''}</Td>
            <Td>
              <Checkbox
                label={`Timer ${t.name ?? t.id} enabled`}
                checked={t.enabled !== false}
                onChange={(v) => void change.run(t, { enabled: v })}
              />
            </Td>
            <Td>
              <Button
                variant="secondary"
                busy={change.busy}
                onClick={() => void change.run(t, null)}
                aria-label={`Remove timer ${t.name ?? t.id}`}
              >
                Remove
              </Button>
            </Td>
          </tr>
        ))}
      </Table>
      <form
        aria-label="Add a timer"
        className="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-4"
        onSubmit={(e) => {
          e.preventDefault()
          void add.run()
        }}
      >
        <div className="sm:col-span-4">
          <TextField
            label="Channel"
            hint="platform:server:channel, one of this community's channels"
            required
            value={entity}
            onChange={(e) => setEntity(e.target.value)}
          />
        </div>
        <TextField
          label="Name"
          required
          pattern="[a-z0-9_\-]{1,32}"
          hint="a-z 0-9 _ -"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label="Every (minutes)"
          type="number"
          min={1}
          max={1440}
          required
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
        <div className="sm:col-span-2">
          <TextField label="Text" required maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="flex flex-col gap-2 sm:col-span-4">
          <ErrorNotice error={add.error} />
          <div>
            <Button type="submit" busy={add.busy}>
              Add timer
            </Button>
          </div>
        </div>
      </form>
    </Card>
  )
}
