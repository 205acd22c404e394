/** Commands of this community: enable/disable, a cooldown and who may run each. */
import { useState } from 'react'
import { patch } from '../../api'
import { Button, Card, Checkbox, ErrorNotice, Loading, Select, Table, Td, TextField } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { Command } from '../../types'
import type { SectionProps } from '../community-admin'

const PERMISSIONS = ['everyone', 'subscriber', 'vip', 'moderator', 'admin', 'broadcaster']

function CommandRow(props: { command: Command; base: string; onSaved: () => void }) {
  const c = props.command
  const [enabled, setEnabled] = useState(c.enabled)
  const [cooldown, setCooldown] = useState(c.cooldown_ms === null ? '' : String(c.cooldown_ms / 1000))
  const [permission, setPermission] = useState(c.permission ?? 'everyone')
  const [saved, setSaved] = useState(false)
  const save = useAction(async () => {
    await patch(`${props.base}/commands/${encodeURIComponent(c.name)}`, {
      enabled,
      cooldown_ms: cooldown === '' ? null : Math.round(Number(cooldown) * 1000),
      permission,
    })
    setSaved(true)
    props.onSaved()
  })
  return (
    <tr>
      <Td>
        <span className="font-mono font-semibold">{c.name}</span>
        <span className="block text-xs text-slate-700">
          {c.module} · {c.summary}
        </span>
      </Td>
      <Td>
        <Checkbox label={`${c.name} enabled`} hideLabel checked={enabled} onChange={setEnabled} />
      </Td>
      <Td>
        <TextField
          label={`Cooldown of ${c.name} (seconds)`}
          hideLabel
          type="number"
          min={0}
          max={86400}
          step="any"
          value={cooldown}
          className="w-24"
          onChange={(e) => setCooldown(e.target.value)}
        />
      </Td>
      <Td>
        <Select
          label={`Who may run ${c.name}`}
          hideLabel
          className="min-w-36"
          options={PERMISSIONS}
          value={permission}
          onChange={(e) => setPermission(e.target.value)}
        />
      </Td>
      <Td>
        <Button variant="secondary" busy={save.busy} onClick={() => void save.run()} aria-label={`Save ${c.name}`}>
          Save
        </Button>
        <span role="status" className="ml-2 text-xs text-slate-700">
          {saved && !save.error ? 'Saved' : ''}
        </span>
        <ErrorNotice error={save.error} />
      </Td>
    </tr>
  )
}

export function Commands({ base }: SectionProps) {
  const list = useApi<{ commands: Command[] }>(`${base}/commands`)
  const commands = list.data?.commands ?? []
  return (
    <Card title="Commands">
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error} />
      <Table
        caption="Commands"
        head={['Command', 'On', 'Cooldown (s)', 'Who may run it', '']}
        rows={commands.length}
        empty="No command."
      >
        {commands.map((c) => (
          <CommandRow key={c.name} command={c} base={base} onSaved={list.reload} />
        ))}
      </Table>
    </Card>
  )
}
