/** Reputation settings: each setting as a field of its type (numbers, switches, text); nested ones as JSON. */
import { useEffect, useState } from 'react'
import { put } from '../../api'
import { Button, Card, Checkbox, ErrorNotice, Loading, Notice, TextArea, TextField } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { SectionProps } from '../community-admin'

type Settings = Record<string, unknown>

const pretty = (k: string) => k.replace(/_/g, ' ')

export function Reputation({ base }: SectionProps) {
  const settings = useApi<Settings>(`${base}/reputation/settings`)
  const [draft, setDraft] = useState<Settings>({})
  const [json, setJson] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    if (!settings.data) return
    setDraft(settings.data)
    const objects: Record<string, string> = {}
    for (const [k, v] of Object.entries(settings.data))
      if (v !== null && typeof v === 'object') objects[k] = JSON.stringify(v, null, 2)
    setJson(objects)
  }, [settings.data])
  const save = useAction(async () => {
    const body: Settings = { ...draft }
    for (const [k, v] of Object.entries(json)) body[k] = JSON.parse(v)
    setDraft(await put<Settings>(`${base}/reputation/settings`, body))
    setSaved(true)
  })
  const set = (k: string, v: unknown) => setDraft((d) => ({ ...d, [k]: v }))
  return (
    <Card title="Reputation settings">
      {settings.loading && !settings.data && <Loading />}
      <ErrorNotice error={settings.error} />
      {settings.data && (
        <form
          className="grid grid-cols-1 gap-4 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault()
            setSaved(false)
            void save.run()
          }}
        >
          {Object.entries(draft).map(([k, v]) =>
            typeof v === 'boolean' ? (
              <Checkbox key={k} label={pretty(k)} checked={v} onChange={(x) => set(k, x)} />
            ) : typeof v === 'number' ? (
              <TextField
                key={k}
                label={pretty(k)}
                type="number"
                step="any"
                value={String(v)}
                onChange={(e) => set(k, Number(e.target.value))}
              />
            ) : v !== null && typeof v === 'object' ? (
              <div key={k} className="sm:col-span-2">
                <TextArea
                  label={`${pretty(k)} (JSON)`}
                  rows={5}
                  value={json[k] ?? ''}
                  onChange={(e) => setJson((j) => ({ ...j, [k]: e.target.value }))}
                />
              </div>
            ) : (
              <TextField
                key={k}
                label={pretty(k)}
                value={v === null ? '' : String(v)}
                onChange={(e) => set(k, e.target.value || null)}
              />
            ),
          )}
          <div className="flex flex-col gap-2 sm:col-span-2">
            <ErrorNotice error={save.error} />
            {saved && !save.error && <Notice kind="success">Settings saved.</Notice>}
            <div>
              <Button type="submit" busy={save.busy}>
                Save settings
              </Button>
            </div>
          </div>
        </form>
      )}
    </Card>
  )
}
