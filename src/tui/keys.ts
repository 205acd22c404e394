/**
 * The dashboard's keyboard: a pure function from (UI state, key) to the next UI state and an effect.
 * Pure so that several keys arriving in one chunk (a paste, tmux send-keys) apply in order.
 */

export const PANES = ['modules', 'feed', 'side'] as const
export type Pane = (typeof PANES)[number]

export interface UiState {
  readonly focus: Pane
  readonly scroll: Readonly<Record<Pane, number>>
  /** The applied feed filter ('' = none). */
  readonly filter: string
  /** The filter being typed after `/`; undefined when not typing. */
  readonly draft: string | undefined
}

/** The subset of ink's Key the dashboard reads. */
export interface KeyInfo {
  readonly return?: boolean
  readonly escape?: boolean
  readonly backspace?: boolean
  readonly delete?: boolean
  readonly tab?: boolean
  readonly shift?: boolean
  readonly ctrl?: boolean
  readonly meta?: boolean
  readonly upArrow?: boolean
  readonly downArrow?: boolean
  readonly pageUp?: boolean
  readonly pageDown?: boolean
}

export type KeyEffect = 'quit' | 'pause' | undefined

export const initialUi: UiState = {
  focus: 'feed',
  scroll: { modules: 0, feed: 0, side: 0 },
  filter: '',
  draft: undefined,
}

const scrolled = (ui: UiState, delta: number): UiState => ({
  ...ui,
  scroll: { ...ui.scroll, [ui.focus]: Math.max(0, ui.scroll[ui.focus] + delta) },
})

/**
 * q quit · tab / shift-tab switch pane · ↑ ↓ PgUp PgDn scroll the focused pane · / start typing a filter
 * (Enter applies, Esc clears) · Esc clear the filter · p pause or resume the feed.
 */
export function onKey(ui: UiState, input: string, key: KeyInfo): { ui: UiState; effect?: KeyEffect } {
  if (ui.draft !== undefined) {
    if (key.return)
      return { ui: { ...ui, filter: ui.draft.trim(), draft: undefined, scroll: { ...ui.scroll, feed: 0 } } }
    if (key.escape) return { ui: { ...ui, filter: '', draft: undefined } }
    if (key.backspace || key.delete) return { ui: { ...ui, draft: ui.draft.slice(0, -1) } }
    if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow)
      return { ui: { ...ui, draft: ui.draft + input } }
    return { ui }
  }
  if (input === 'q') return { ui, effect: 'quit' }
  if (input === 'p') return { ui, effect: 'pause' }
  if (input === '/') return { ui: { ...ui, draft: ui.filter } }
  if (key.tab)
    return {
      ui: { ...ui, focus: PANES[(PANES.indexOf(ui.focus) + (key.shift ? PANES.length - 1 : 1)) % PANES.length]! },
    }
  if (key.escape) return { ui: { ...ui, filter: '' } }
  if (key.upArrow) return { ui: scrolled(ui, -1) }
  if (key.downArrow) return { ui: scrolled(ui, 1) }
  if (key.pageUp) return { ui: scrolled(ui, -10) }
  if (key.pageDown) return { ui: scrolled(ui, 10) }
  return { ui }
}

/** Keys hidden in a chunk of plain characters. */
function keyOf(ch: string): { input: string; key: KeyInfo } {
  if (ch === '\r' || ch === '\n') return { input: '', key: { return: true } }
  if (ch === '\t') return { input: '', key: { tab: true } }
  if (ch === '\x7f' || ch === '\b') return { input: '', key: { backspace: true } }
  return { input: ch, key: {} }
}

/**
 * onKey for what ink hands over: ink passes a chunk of several plain characters (a paste, keys sent by
 * tmux) as one string, so such a chunk is applied one character at a time. Stops at a quit.
 */
export function applyInput(ui: UiState, input: string, key: KeyInfo): { ui: UiState; effects: KeyEffect[] } {
  if ([...input].length <= 1 || key.ctrl || key.meta || key.escape) {
    const r = onKey(ui, input, key)
    return { ui: r.ui, effects: r.effect ? [r.effect] : [] }
  }
  let current = ui
  const effects: KeyEffect[] = []
  for (const ch of input) {
    const k = keyOf(ch)
    const r = onKey(current, k.input, k.key)
    current = r.ui
    if (r.effect) effects.push(r.effect)
    if (r.effect === 'quit') break
  }
  return { ui: current, effects }
}
