/** @jsxRuntime automatic @jsxImportSource react */
/** The module table: name, port, status, p99 latency and errors over the last minute, replicas. */
import { Box, Text } from 'ink'
import type { ModuleStats, ModuleStatus } from '../cli/monitor-client.js'
import { cell, formatMs } from './format.js'

const LOOK: Record<ModuleStatus, { mark: string; color: string }> = {
  ok: { mark: '●', color: 'green' },
  degraded: { mark: '▲', color: 'yellow' },
  down: { mark: '✖', color: 'red' },
  stopped: { mark: '■', color: 'gray' },
}

export interface ModulesPaneProps {
  readonly modules: readonly ModuleStats[] | undefined
  readonly width: number
  /** Total height including the border. */
  readonly height: number
  readonly focused: boolean
  /** First row shown (scrolling). */
  readonly scroll: number
  /** The data is old: the router is not answering. */
  readonly stale: boolean
}

/** A bordered table, one row per module; a module that is not ok is red (or yellow when degraded). */
export function ModulesPane({ modules, width, height, focused, scroll, stale }: ModulesPaneProps) {
  const inner = Math.max(10, width - 4)
  const wide = inner >= 80
  const cols = { name: 18, port: 6, status: 12, p99: 9, errors: 7, replicas: 5 }
  const fixed = cols.name + cols.port + cols.status + cols.p99 + cols.errors + cols.replicas
  const rowsRoom = Math.max(1, height - 3)
  const list = modules ?? []
  const first = Math.min(scroll, Math.max(0, list.length - rowsRoom))
  const shown = list.slice(first, first + rowsRoom)
  const title = `Modules${list.length > rowsRoom ? ` ${first + 1}-${first + shown.length}/${list.length}` : ''}`
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={focused ? 'cyan' : 'gray'}
      width={width}
      height={height}
      paddingX={1}
    >
      <Text bold wrap="truncate-end">
        {cell(title, cols.name)}
        <Text dimColor>
          {cell('PORT', cols.port)}
          {cell('STATUS', cols.status)}
          {cell('P99', cols.p99)}
          {cell('ERRORS', cols.errors)}
          {cell('REPL', cols.replicas)}
          {wide ? cell('URL', inner - fixed) : ''}
        </Text>
      </Text>
      {list.length === 0 ? <Text dimColor>{modules ? 'no modules registered' : '—'}</Text> : null}
      {shown.map((m) => {
        const look = LOOK[m.status] ?? LOOK.down
        return (
          <Text key={m.name} wrap="truncate-end" dimColor={stale}>
            {cell(m.name, cols.name)}
            {cell(m.port === null ? '—' : String(m.port), cols.port)}
            <Text color={look.color}>{cell(`${look.mark} ${m.status}`, cols.status)}</Text>
            {cell(formatMs(m.p99_ms), cols.p99)}
            <Text {...(m.errors > 0 ? { color: 'red' } : {})}>{cell(String(m.errors), cols.errors)}</Text>
            {cell(m.replicas === null ? '—' : String(m.replicas), cols.replicas)}
            {wide ? (
              <Text dimColor>
                {cell(
                  m.status === 'ok'
                    ? m.in_process && !m.url
                      ? 'in-process'
                      : (m.url ?? '')
                    : (m.detail ?? m.url ?? ''),
                  inner - fixed,
                )}
              </Text>
            ) : (
              ''
            )}
          </Text>
        )
      })}
    </Box>
  )
}
