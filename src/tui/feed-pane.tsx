/** @jsxRuntime automatic @jsxImportSource react */
/** The live feed: commands, moderation actions, events and module health changes, newest first. */
import { Box, Text } from 'ink'
import { clock } from './format.js'
import type { FeedItem } from './state.js'

const TONE: Record<FeedItem['tone'], string> = { ok: 'white', warn: 'yellow', error: 'red', info: 'gray' }
const KIND: Record<FeedItem['kind'], string> = { command: '›', moderation: '⚑', event: '•', health: '♥' }

export interface FeedPaneProps {
  readonly items: readonly FeedItem[]
  readonly width: number
  /** Total height including the border. */
  readonly height: number
  readonly focused: boolean
  readonly scroll: number
  /** Applied filter text (case-insensitive substring); empty = everything. */
  readonly filter: string
  readonly paused: boolean
  readonly held: number
}

/** Items matching `filter`, newest first. */
export function filterFeed(items: readonly FeedItem[], filter: string): FeedItem[] {
  const needle = filter.trim().toLowerCase()
  return needle ? items.filter((i) => i.text.toLowerCase().includes(needle) || i.kind === needle) : [...items]
}

export function FeedPane({ items, width, height, focused, scroll, filter, paused, held }: FeedPaneProps) {
  const rows = Math.max(1, height - 3)
  const matching = filterFeed(items, filter)
  const first = Math.min(scroll, Math.max(0, matching.length - rows))
  const shown = matching.slice(first, first + rows)
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
        Live feed
        {filter ? (
          <Text color="cyan">
            {' '}
            · filter “{filter}” ({matching.length})
          </Text>
        ) : null}
        {paused ? <Text color="yellow"> · paused{held ? `, ${held} new` : ''}</Text> : null}
        {first > 0 ? <Text dimColor> · {first} newer above</Text> : null}
      </Text>
      {shown.length === 0 ? <Text dimColor>{filter ? 'nothing matches the filter' : 'no activity yet'}</Text> : null}
      {shown.map((i) => (
        <Text key={i.id} wrap="truncate-end" {...(i.tone === 'ok' ? {} : { color: TONE[i.tone] })}>
          <Text dimColor>{clock(i.time)} </Text>
          {KIND[i.kind]} {i.text}
        </Text>
      ))}
    </Box>
  )
}
