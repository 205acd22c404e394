/** @jsxRuntime automatic @jsxImportSource react */
/**
 * `waddlebot dashboard`: header, module table, live feed, overlays and claims, laid out for the terminal
 * size (80×24 at least; wider terminals put overlays/claims beside the modules). Keys: q quit, tab switch
 * pane, ↑/↓ scroll it, / filter the feed (Enter applies, Esc clears), p pause the feed.
 */
import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink'
import { useEffect, useReducer, useRef, useState } from 'react'
import { FeedPane, filterFeed } from './feed-pane.js'
import { Header } from './header.js'
import { applyInput, initialUi } from './keys.js'
import { ModulesPane } from './modules-pane.js'
import { SidePane } from './side-pane.js'
import type { DashboardSource } from './source.js'
import { initialState, reduce } from './state.js'

export interface DashboardProps {
  readonly source: DashboardSource
  /** Terminal size; defaults to the output stream's columns × rows (80×24 when unknown). */
  readonly width?: number
  readonly height?: number
}

/** Tracks the terminal size, following resizes. */
function useTerminalSize(width?: number, height?: number): { width: number; height: number } {
  const { stdout } = useStdout()
  const read = () => ({ width: width ?? (stdout.columns || 80), height: height ?? (stdout.rows || 24) })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  })
  return width !== undefined && height !== undefined ? { width, height } : size
}

/** The whole dashboard. It never throws on a missing router: the source reports it and retries. */
export function Dashboard({ source, width: w, height: h }: DashboardProps) {
  const { exit } = useApp()
  const { isRawModeSupported } = useStdin()
  const { width, height } = useTerminalSize(w, h)
  const [state, dispatch] = useReducer(reduce, source.url, initialState)
  const [, setTick] = useState(0)
  const uiRef = useRef(initialUi)
  const [ui, setUi] = useState(initialUi)

  useEffect(() => source.start(dispatch), [source])
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000) // re-render for the retry countdown
    return () => clearInterval(t)
  }, [])

  useInput(
    (input, key) => {
      // Keys may arrive several per chunk: thread the UI state through a ref, not this render's closure.
      const { ui: next, effects } = applyInput(uiRef.current, input, key)
      uiRef.current = next
      setUi(next)
      for (const effect of effects) {
        if (effect === 'quit') exit()
        else if (effect === 'pause') dispatch({ type: 'pause' })
      }
    },
    { isActive: isRawModeSupported === true },
  )
  const { focus, scroll, filter, draft } = ui

  // Lay out exactly height-1 lines so ink never has to clear the screen.
  const usable = Math.max(12, height - 1)
  const wide = width >= 110
  const sideWidth = wide ? Math.min(40, Math.floor(width / 3)) : width
  const modulesWidth = wide ? width - sideWidth : width
  const moduleCount = state.stats?.modules.length ?? 1
  const compactSide = wide ? 0 : 3
  const modulesHeight = Math.min(
    Math.max(wide ? 6 : 4, moduleCount + 3),
    Math.max(wide ? 6 : 4, Math.floor((usable - 3 - compactSide) * 0.45)),
  )
  const feedHeight = Math.max(3, usable - 2 - 1 - modulesHeight - compactSide)
  const stale = state.connection.state !== 'live'
  const modules =
    stale && state.stats
      ? state.stats.modules.map((m) =>
          m.name === 'router' ? { ...m, status: 'down' as const, detail: 'not answering' } : m,
        )
      : state.stats?.modules
  const side = (
    <SidePane
      overlays={state.stats?.overlays}
      claims={state.claims}
      ai={state.ai}
      width={sideWidth}
      height={wide ? modulesHeight : 3}
      focused={focus === 'side'}
      compact={!wide}
    />
  )
  const feedMatches = filterFeed(state.feed, filter).length
  return (
    <Box flexDirection="column" width={width} height={usable}>
      <Header state={state} now={Date.now()} width={width} />
      <Box flexDirection="row" width={width} height={modulesHeight}>
        <ModulesPane
          modules={modules}
          width={modulesWidth}
          height={modulesHeight}
          focused={focus === 'modules'}
          scroll={scroll.modules}
          stale={stale}
        />
        {wide ? side : null}
      </Box>
      {wide ? null : side}
      <FeedPane
        items={state.feed}
        width={width}
        height={feedHeight}
        focused={focus === 'feed'}
        scroll={Math.min(scroll.feed, Math.max(0, feedMatches - 1))}
        filter={filter}
        paused={state.paused}
        held={state.held.length}
      />
      {draft !== undefined ? (
        <Text wrap="truncate-end">
          <Text color="cyan">filter /</Text>
          {draft}
          <Text inverse> </Text>
          <Text dimColor> Enter apply · Esc clear</Text>
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          q quit · tab pane ({focus}) · ↑↓ scroll · / filter · p {state.paused ? 'resume' : 'pause'}
          {filter ? ' · Esc clear filter' : ''}
        </Text>
      )}
    </Box>
  )
}
