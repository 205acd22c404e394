/** OBS overlays: each URL to copy, a live preview, and token rotation. */
import { useState } from 'react'
import { post } from '../../api'
import { Button, Card, CopyButton, ErrorNotice, Loading, Notice } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { Overlay } from '../../types'
import type { SectionProps } from '../community-admin'

function OverlayCard(props: { overlay: Overlay; base: string; onRotated: (o: Overlay) => void }) {
  const { overlay } = props
  const [rotated, setRotated] = useState(false)
  const rotate = useAction(async () => {
    props.onRotated(await post<Overlay>(`${props.base}/overlays/${overlay.type}/rotate`))
    setRotated(true)
  })
  const id = `overlay-url-${overlay.type}`
  return (
    <Card title={`${overlay.type[0]?.toUpperCase()}${overlay.type.slice(1)} overlay`} level={3}>
      <div className="flex flex-col gap-3">
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          OBS URL of the {overlay.type} overlay
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <input
            id={id}
            readOnly
            value={overlay.url}
            className="min-w-0 flex-1 rounded-md border border-slate-400 bg-slate-50 px-3 py-2 font-mono text-xs"
          />
          <CopyButton text={overlay.url} label={`Copy the ${overlay.type} overlay URL`} />
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button
            variant="danger"
            busy={rotate.busy}
            onClick={() => void rotate.run()}
            aria-label={`Rotate token of the ${overlay.type} overlay`}
          >
            Rotate token
          </Button>
          <span className="text-xs text-slate-700">The old URL keeps working for a short grace period.</span>
        </div>
        <ErrorNotice error={rotate.error} />
        {rotated && !rotate.error && <Notice kind="success">New token issued: update the URL in OBS.</Notice>}
        <figure>
          <figcaption className="mb-1 text-sm font-medium text-slate-800">
            Live preview <span className="font-normal text-slate-700">(empty until the bot shows something)</span>
          </figcaption>
          <iframe
            key={overlay.url}
            title={`Live preview of the ${overlay.type} overlay`}
            src={overlay.url}
            sandbox="allow-scripts allow-same-origin"
            className="aspect-video w-full rounded-md bg-slate-800 ring-1 ring-slate-300"
          />
        </figure>
      </div>
    </Card>
  )
}

export function Overlays({ base }: SectionProps) {
  const list = useApi<{ overlays: Overlay[] }>(`${base}/overlays`)
  const [override, setOverride] = useState<Record<string, Overlay>>({})
  const overlays = (list.data?.overlays ?? []).map((o) => override[o.type] ?? o)
  return (
    <div className="flex flex-col gap-6">
      <Card title="Overlays">
        <p className="text-sm text-slate-700">
          Add each URL as a Browser Source in OBS (1920×1080). Anyone with a URL can watch the overlay: rotate its token
          if it leaked.
        </p>
        {list.loading && !list.data && <Loading />}
        <ErrorNotice error={list.error} />
      </Card>
      {overlays.map((o) => (
        <OverlayCard
          key={o.type}
          overlay={o}
          base={base}
          onRotated={(n) => setOverride((m) => ({ ...m, [n.type]: n }))}
        />
      ))}
    </div>
  )
}
