/** @jsxRuntime automatic @jsxImportSource react */
/**
 * Overlays connected (browser-source), AI tokens used today per community (the ai module, when the bot runs
 * it) and coordination claims per collector container; `—` when unknown.
 */
import { Box, Text } from 'ink'
import type { AiUsage } from '../modules/ai/public.js'
import { cell } from './format.js'

const thousands = (n: number) => n.toLocaleString('en-US')

/** `1,290 tok (default 1,234/100,000 · other 56)`: today's total, then each community and its cap. */
export function aiUsageText(usage: AiUsage): string {
  const total = usage.today.reduce((n, r) => n + r.tokens, 0)
  if (usage.today.length === 0) return '0 tok'
  const each = usage.today.map(
    (r) => `${r.community_id} ${thousands(r.tokens)}${r.daily_token_cap > 0 ? `/${thousands(r.daily_token_cap)}` : ''}`,
  )
  return `${thousands(total)} tok (${each.join(' · ')})`
}

export interface SidePaneProps {
  /** null/undefined: browser-source is not running (or not known yet). */
  readonly overlays: number | null | undefined
  /** null: the router has no coordination endpoint; undefined: not read yet. */
  readonly claims: Readonly<Record<string, number>> | null | undefined
  /** null/undefined: no ai module (or not known yet): the AI line is left out. */
  readonly ai?: AiUsage | null | undefined
  readonly width: number
  readonly height: number
  readonly focused: boolean
  /** One line (narrow terminals) instead of a list. */
  readonly compact: boolean
}

export function SidePane({ overlays, claims, ai, width, height, focused, compact }: SidePaneProps) {
  const overlayText = overlays === null || overlays === undefined ? '—' : String(overlays)
  const entries = claims ? Object.entries(claims).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) : []
  const total = entries.reduce((n, [, v]) => n + v, 0)
  const claimsText = !claims ? '—' : entries.length === 0 ? 'none' : entries.map(([c, n]) => `${c} ${n}`).join(', ')
  const inner = Math.max(10, width - 4)
  const border = focused ? 'cyan' : 'gray'
  if (compact) {
    return (
      <Box borderStyle="round" borderColor={border} width={width} height={height} paddingX={1}>
        <Text wrap="truncate-end">
          <Text bold>Overlays</Text> {overlayText} <Text dimColor>·</Text>{' '}
          {ai ? (
            <>
              <Text bold>AI today</Text> {aiUsageText(ai)} <Text dimColor>·</Text>{' '}
            </>
          ) : null}
          <Text bold>Claims</Text> {claims && entries.length ? `${total}: ` : ''}
          {claimsText}
        </Text>
      </Box>
    )
  }
  // Only what fits inside the border: overlays, the claims title, then one line per container.
  const room = Math.max(2, height - 2)
  const listed = entries.slice(0, room - (ai ? 3 : 2))
  const more = entries.length - listed.length
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={border} width={width} height={height} paddingX={1}>
      <Text wrap="truncate-end">
        <Text bold>Overlays connected</Text> {overlayText}
      </Text>
      {ai ? (
        <Text wrap="truncate-end">
          <Text bold>AI tokens today</Text> {aiUsageText(ai)}
        </Text>
      ) : null}
      <Text wrap="truncate-end">
        <Text bold>Claims per collector</Text>
        {claims && entries.length ? ` (${total})` : ''}{' '}
        {!claims || entries.length === 0 ? <Text dimColor>{claimsText}</Text> : null}
        {more > 0 ? <Text dimColor> +{more} more</Text> : null}
      </Text>
      {listed.map(([container, n]) => (
        <Text key={container} wrap="truncate-end">
          {cell(container, inner - 6)}
          {String(n).padStart(6)}
        </Text>
      ))}
    </Box>
  )
}
