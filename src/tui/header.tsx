/** @jsxRuntime automatic @jsxImportSource react */
// (The pragma keeps JSX working when tsx runs from a project folder without this repo's tsconfig.)
/** The dashboard header: router URL and connection, uptime, events/s with a sparkline of the last minute. */
import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import { formatMs, formatRate, formatUptime, sparkline } from './format.js'
import type { DashboardState } from './state.js'

export interface HeaderProps {
  readonly state: DashboardState
  /** Current time (ms), for the retry countdown. */
  readonly now: number
  readonly width: number
}

/** Two lines: identity and connection; then the traffic figures, or why the router is not reachable. */
export function Header({ state, now, width }: HeaderProps) {
  const { connection: c, stats } = state
  const badge =
    c.state === 'live' ? (
      <Text color="green">● live</Text>
    ) : c.state === 'connecting' ? (
      <Text color="yellow">◌ connecting</Text>
    ) : (
      <Text color="red">✖ {c.state}</Text>
    )
  let second: ReactNode
  if (c.state === 'unreachable' || c.state === 'refused') {
    const seconds = Math.max(0, Math.ceil((c.retryAt - now) / 1000))
    const auth = c.state === 'refused' && /^40[13]/.test(c.error)
    second = (
      <Text color="red" wrap="truncate-end">
        {c.state === 'unreachable' ? `router unreachable at ${c.url}` : `router at ${c.url} answered ${c.error}`},
        retrying in {seconds}s
        <Text dimColor>{c.state === 'unreachable' ? ` (${c.error})` : auth ? ' (pass an admin --key)' : ''}</Text>
      </Text>
    )
  } else if (stats) {
    const figures = `${formatRate(stats.events_per_s)} ev/s `
    const tail = `  ${stats.events_total} events · errors ${stats.errors_last_minute}/min · p99 ${formatMs(stats.p99_ms)}`
    const room = Math.max(8, Math.min(60, width - figures.length - tail.length))
    second = (
      <Text wrap="truncate-end">
        <Text bold>{figures}</Text>
        <Text color="cyan">{sparkline(stats.per_second, room)}</Text>
        <Text>{tail}</Text>
      </Text>
    )
  } else {
    second = <Text dimColor>waiting for the router…</Text>
  }
  return (
    <Box flexDirection="column" width={width} height={2}>
      <Text wrap="truncate-end">
        <Text bold color="magenta">
          waddlebot
        </Text>{' '}
        {c.url} {badge}
        {stats ? <Text> · up {formatUptime(stats.uptime_s)}</Text> : null}
        {state.paused ? (
          <Text color="yellow" bold>
            {' '}
            · PAUSED{state.held.length ? ` (+${state.held.length})` : ''}
          </Text>
        ) : null}
      </Text>
      {second}
    </Box>
  )
}
