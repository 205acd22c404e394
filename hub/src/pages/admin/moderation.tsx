/** Moderation rules of this community (list, add, remove) and the dry run of the saved rules over a pasted chat log. */
import { useState } from 'react'
import { del, post } from '../../api'
import { Button, Card, ErrorNotice, Loading, Notice, Select, Table, Td, TextArea, TextField } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { DryRun, Rule } from '../../types'
import type { SectionProps } from '../community-admin'

const MATCH_TYPES = ['contains', 'word', 'exact', 'regex']
const ACTIONS = ['warn', 'delete', 'timeout', 'ban', 'respond', 'command', 'webhook']

export function Moderation({ base }: SectionProps) {
  const rules = useApi<{ rules: Rule[] }>(`${base}/moderation/rules`)
  const [pattern, setPattern] = useState('')
  const [matchType, setMatchType] = useState('contains')
  const [action, setAction] = useState('warn')
  const [value, setValue] = useState('')
  const [saved, setSaved] = useState('')
  const save = useAction(async (change: () => Promise<unknown>) => {
    await change()
    rules.reload()
  })
  const add = async () => {
    const rule: Rule = { pattern, match_type: matchType, action }
    if (value) rule.action_value = value
    if (await save.run(() => post(`${base}/moderation/rules`, rule))) {
      setSaved(`Rule “${pattern}” added.`)
      setPattern('')
      setValue('')
    }
  }
  const remove = async (r: Rule) => {
    if (await save.run(() => del(`${base}/moderation/rules/${encodeURIComponent(String(r.id))}`)))
      setSaved(`Rule “${r.pattern}” removed.`)
  }
  const [log, setLog] = useState('')
  const [result, setResult] = useState<DryRun | null>(null)
  const dry = useAction(async () => setResult(await post<DryRun>(`${base}/moderation/dry-run`, { log })))
  const list = rules.data?.rules ?? []
  return (
    <div className="flex flex-col gap-6">
      <Card title="Moderation rules">
        {rules.loading && !rules.data && <Loading />}
        <ErrorNotice error={rules.error} />
        <Table
          caption="Moderation rules"
          head={['Pattern', 'Match', 'Action', 'Value', '']}
          rows={list.length}
          empty="No rule yet."
        >
          {list.map((r, i) => (
            <tr key={`${r.id ?? i}-${r.pattern}`}>
              <Td className="font-mono break-all">{r.pattern}</Td>
              <Td>{r.match_type ?? 'contains'}</Td>
              <Td>{r.action ?? 'warn'}</Td>
              <Td className="break-all">{r.action_value ?? ''}</Td>
              <Td>
                <Button
                  variant="secondary"
                  aria-label={`Remove rule ${r.pattern}`}
                  busy={save.busy}
                  onClick={() => void remove(r)}
                >
                  Remove
                </Button>
              </Td>
            </tr>
          ))}
        </Table>
        <form
          aria-label="Add a rule"
          className="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault()
            void add()
          }}
        >
          <TextField
            label="Pattern"
            required
            maxLength={500}
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
          />
          <Select
            label="Match type"
            options={MATCH_TYPES}
            value={matchType}
            onChange={(e) => setMatchType(e.target.value)}
          />
          <Select label="Action" options={ACTIONS} value={action} onChange={(e) => setAction(e.target.value)} />
          <TextField
            label="Value"
            hint="reply, command, webhook URL or reason"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <div className="sm:col-span-2 flex flex-col gap-2">
            <ErrorNotice error={save.error} />
            {saved && !save.error && <Notice kind="success">{saved}</Notice>}
            <div>
              <Button type="submit" busy={save.busy}>
                Add rule
              </Button>
            </div>
          </div>
        </form>
      </Card>
      <Card title="Dry run">
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault()
            void dry.run()
          }}
        >
          <TextArea
            label="Chat log"
            hint="one message per line, “user: message”; nothing is sent or acted on"
            rows={6}
            required
            value={log}
            onChange={(e) => setLog(e.target.value)}
          />
          <ErrorNotice error={dry.error} />
          <div>
            <Button type="submit" busy={dry.busy}>
              Run dry run
            </Button>
          </div>
        </form>
        {result && (
          <div className="mt-4" aria-live="polite">
            <p className="mb-2 text-sm font-medium" role="status">
              {result.lines_with_hits} of {result.lines} lines would be acted on
            </p>
            <Table
              caption="Dry run: hits per rule"
              head={['Rule', 'Match', 'Action', 'Lines hit']}
              rows={result.rules.length}
              empty="No rule to test."
            >
              {result.rules.map((r) => (
                <tr key={String(r.id)}>
                  <Td className="font-mono break-all">{r.pattern}</Td>
                  <Td>{r.match_type}</Td>
                  <Td>{r.action}</Td>
                  <Td className="font-semibold">{r.hits}</Td>
                </tr>
              ))}
            </Table>
          </div>
        )}
      </Card>
    </div>
  )
}
