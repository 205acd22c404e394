/**
 * An Aho-Corasick automaton over UTF-16 code units: finds every occurrence of any of N patterns in one pass
 * over the text, in time linear in the text length plus the number of occurrences, whatever N is.
 *
 * Children are kept in one Map per node, except the root which has a dense 65,536-entry table (most
 * transitions fall back to the root). Outputs follow dictionary-suffix links, so a node never copies the
 * outputs of its suffixes and memory stays linear in the total pattern length.
 */
export class AhoCorasick {
  /** Pattern index ending at each node, or -1. */
  private readonly out: Int32Array
  /** Nearest node on the failure chain (excluding the node itself) that has an output, or -1. */
  private readonly dict: Int32Array
  private readonly fail: Int32Array
  private readonly children: (Map<number, number> | undefined)[]
  private readonly root: Int32Array
  /** Number of patterns; indices passed to `onHit` are in `[0, size)`. */
  readonly size: number

  /**
   * Builds the automaton. Patterns must be non-empty; a duplicate pattern keeps the first index
   * (callers pass unique patterns).
   */
  constructor(patterns: readonly string[]) {
    this.size = patterns.length
    const children: (Map<number, number> | undefined)[] = [new Map()]
    const outs: number[] = [-1]
    for (let p = 0; p < patterns.length; p++) {
      const pattern = patterns[p]
      let node = 0
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i)
        let map = children[node]
        if (map === undefined) {
          map = new Map()
          children[node] = map
        }
        let next = map.get(c)
        if (next === undefined) {
          next = children.length
          map.set(c, next)
          children.push(undefined)
          outs.push(-1)
        }
        node = next
      }
      if (pattern.length > 0 && outs[node] === -1) outs[node] = p
    }
    const count = children.length
    this.children = children
    this.out = Int32Array.from(outs)
    this.fail = new Int32Array(count)
    this.dict = new Int32Array(count).fill(-1)
    this.root = new Int32Array(65536)
    // Breadth-first: a node's failure link points to a shallower node, already computed.
    const queue: number[] = []
    for (const [c, child] of children[0] ?? []) {
      this.root[c] = child
      queue.push(child)
    }
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]
      const map = children[node]
      if (map === undefined) continue
      for (const [c, child] of map) {
        this.fail[child] = this.step(this.fail[node], c)
        const f = this.fail[child]
        this.dict[child] = this.out[f] >= 0 ? f : this.dict[f]
        queue.push(child)
      }
    }
  }

  /** The goto/failure transition from `state` on code unit `c`. */
  private step(state: number, c: number): number {
    for (;;) {
      if (state === 0) return this.root[c]
      const next = this.children[state]?.get(c)
      if (next !== undefined) return next
      state = this.fail[state]
    }
  }

  /**
   * Calls `onHit(patternIndex, end)` for every occurrence, `end` being the exclusive end offset in `text`.
   * Occurrences are reported in order of their end offset.
   */
  scan(text: string, onHit: (pattern: number, end: number) => void): void {
    if (this.size === 0) return
    const { out, dict, root } = this
    let state = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      state = state === 0 ? root[c] : this.step(state, c)
      if (state === 0) continue
      let node = out[state] >= 0 ? state : dict[state]
      while (node >= 0) {
        onHit(out[node], i + 1)
        node = dict[node]
      }
    }
  }
}
