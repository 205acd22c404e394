/**
 * The live view: the community's (or, for platform admins, every community's) event stream over Server-Sent
 * Events, newest first: chat messages as the router receives them and the bot's responses.
 */
import { useEffect, useState } from 'react'
import { Badge, Card } from '../../components/ui'
import type { SectionProps } from '../community-admin'

type StreamItem = {
  kind?: string
  community?: string
  platform?: string
  channel?: string
  user?: string | undefined
  text?: string
  at?: number
  [k: string]: unknown
}
type Row = StreamItem & { key: number; shown: number }

const MAX_ROWS = 200
let seq = 0

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return str(o.display_name ?? o.name ?? o.user_name ?? o.id)
  }
  return undefined
}

/** A line for a message without text (not a command): its type and what the router did. */
function describe(data: Record<string, unknown>): string {
  return [str(data.message_type) ?? 'message', str(data.outcome)].filter(Boolean).join(' · ')
}

/** One stream message as a row (field names per docs/hub.md; a few aliases are tolerated). */
export function toRow(data: Record<string, unknown>): Row {
  return {
    ...data,
    kind: str(data.kind ?? data.type) ?? 'event',
    user: str(data.user ?? data.user_name),
    text: str(data.text ?? data.message ?? data.content) ?? describe(data),
    at: typeof data.at === 'number' ? data.at : Date.now(),
    key: ++seq,
    shown: Date.now(),
  }
}

export function LiveStream(props: { path: string; title: string }) {
  const [rows, setRows] = useState<Row[]>([])
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting'>('connecting')
  const [paused, setPaused] = useState(false)
  useEffect(() => {
    const source = new EventSource(props.path, { withCredentials: true })
    source.onopen = () => setState('live')
    source.onerror = () => setState('reconnecting')
    const onMessage = (m: MessageEvent<string>) => {
      let data: Record<string, unknown>
      try {
        data = JSON.parse(m.data)
      } catch {
        data = { text: String(m.data) }
      }
      setRows((r) => [toRow(data), ...r].slice(0, MAX_ROWS))
    }
    source.addEventListener('event', onMessage)
    source.onmessage = onMessage
    return () => source.close()
  }, [props.path])
  const [frozen, setFrozen] = useState<Row[]>([])
  const shown = paused ? frozen : rows
  return (
    <Card
      title={props.title}
      actions={
        <div className="flex items-center gap-3">
          <span role="status" className="text-sm text-slate-700">
            <span
              className={`mr-1 inline-block h-2 w-2 rounded-full ${state === 'live' ? 'bg-emerald-600' : 'bg-amber-500'}`}
              aria-hidden="true"
            />
            {state}
          </span>
          <button
            type="button"
            className="rounded-md px-3 py-1 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-100"
            aria-pressed={paused}
            onClick={() => {
              setFrozen(rows)
              setPaused((p) => !p)
            }}
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
        </div>
      }
    >
      <div
        role="log"
        aria-label="Live events"
        aria-live={paused ? 'off' : 'polite'}
        className="max-h-[32rem] overflow-y-auto"
      >
        <ol className="flex flex-col divide-y divide-slate-200">
          {shown.length === 0 && <li className="py-2 text-sm text-slate-700">Waiting for chat…</li>}
          {shown.map((r) => (
            <li key={r.key} className="flex flex-wrap items-baseline gap-x-2 py-2 text-sm" data-at={r.at}>
              <time className="font-mono text-xs text-slate-700" dateTime={new Date(r.at ?? r.shown).toISOString()}>
                {new Date(r.at ?? r.shown).toLocaleTimeString()}
              </time>
              <Badge tone={r.kind === 'response' ? 'green' : 'indigo'}>{r.kind}</Badge>
              {r.platform && (
                <span className="text-xs text-slate-700">{[r.platform, r.channel].filter(Boolean).join(' · ')}</span>
              )}
              {r.user && <strong className="text-slate-900">{r.user}</strong>}
              <span className="live-text break-all text-slate-900">{r.text}</span>
            </li>
          ))}
        </ol>
      </div>
    </Card>
  )
}

export const LiveView = ({ base }: SectionProps) => <LiveStream path={`${base}/stream`} title="Live events" />
