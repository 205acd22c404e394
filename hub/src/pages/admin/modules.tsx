/** Marketplace modules installed in this community; says so when the bot has no marketplace. */
import { ApiError } from '../../api'
import { Card, ErrorNotice, Loading, Notice, Table, Td } from '../../components/ui'
import { useApi } from '../../hooks'
import type { SectionProps } from '../community-admin'

type Installed = { name: string; version?: string; summary?: string; enabled?: boolean; [k: string]: unknown }

export function Modules({ base }: SectionProps) {
  const list = useApi<{ modules: Installed[] }>(`${base}/modules`)
  const unavailable =
    list.error instanceof ApiError &&
    (list.error.code === 'WB_HUB_MARKETPLACE_UNAVAILABLE' || list.error.status === 503)
  const modules = list.data?.modules ?? []
  return (
    <Card title="Marketplace modules">
      {list.loading && !list.data && <Loading />}
      {unavailable ? (
        <Notice>The marketplace is not available on this bot, so no module can be installed here.</Notice>
      ) : (
        <ErrorNotice error={list.error} />
      )}
      {list.data && (
        <Table
          caption="Installed modules"
          head={['Module', 'Version', 'About', 'State']}
          rows={modules.length}
          empty="No module installed."
        >
          {modules.map((m) => (
            <tr key={m.name}>
              <Td className="font-semibold">{m.name}</Td>
              <Td>{m.version ?? ''}</Td>
              <Td>{m.summary ?? ''}</Td>
              <Td>{m.enabled === false ? 'disabled' : 'enabled'}</Td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  )
}
