/**
 * An Aho-Corasick automaton over UTF-16 code units: finds every occurrence of any of N patterns in one pass
 * over the text, in time linear in the text length plus the number of occurrences, whatever N is.
 *
 * Transitions of the root sit in a dense 65,536-entry table; the shallowest {@link DENSE_ROWS} nodes (the
 * ones a scan visits most) also get a complete ASCII row of the deterministic automaton (failures already
 * resolved), so on ASCII text most steps are a single array read. Every other edge sits in one
 * open-addressing hash table keyed by (node, code unit). Outputs follow dictionary-suffix links: a node
 * never copies the outputs of its suffixes, and memory stays linear in the total pattern length.
 */
/** Nodes (breadth-first) that get a dense ASCII row: at most 8192 × 128 × 4 bytes = 4 MiB. */
export const DENSE_ROWS = 8192

export class AhoCorasick {
  /** Pattern index ending at each node, or -1. */
  private readonly out: Int32Array
  /** Nearest node on the failure chain (excluding the node itself) that has an output, or -1. */
  private readonly dict: Int32Array
  private readonly fail: Int32Array
  private readonly root = new Int32Array(65536)
  /** Edges: [node, code unit, child] triples; node -1 = empty slot. */
  private readonly edges: Int32Array
  private readonly mask: number
  /** Row of each node in `dense`, or -1. */
  private readonly rowOf: Int32Array
  /** Complete transitions on code units 0–127, 128 per row. */
  private readonly dense: Int32Array
  /** Number of patterns; indices reported by `scan` are in `[0, size)`. */
  readonly size: number

  /**
   * Builds the automaton. Empty patterns are ignored; a duplicate keeps its first index (callers pass
   * unique patterns).
   */
  constructor(patterns: readonly string[]) {
    this.size = patterns.length
    let total = 1
    for (const pattern of patterns) total += pattern.length
    let slots = 16
    while (slots < total * 2) slots *= 2
    this.mask = slots - 1
    this.edges = new Int32Array(slots * 3).fill(-1)
    // The trie lives in the hash table; each node remembers its parent, edge label and depth.
    const out = new Int32Array(total).fill(-1)
    const parent = new Int32Array(total)
    const label = new Int32Array(total)
    const depth = new Int32Array(total)
    let count = 1
    let maxDepth = 0
    for (let p = 0; p < patterns.length; p++) {
      const pattern = patterns[p]
      let node = 0
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i)
        let next = node === 0 ? this.root[c] || -1 : this.child(node, c)
        if (next === -1) {
          next = count++
          if (node === 0) this.root[c] = next
          else this.insert(node, c, next)
          parent[next] = node
          label[next] = c
          depth[next] = depth[node] + 1
          if (depth[next] > maxDepth) maxDepth = depth[next]
        }
        node = next
      }
      if (pattern.length > 0 && out[node] === -1) out[node] = p
    }
    this.out = out.slice(0, count)
    this.fail = new Int32Array(count)
    this.dict = new Int32Array(count).fill(-1)
    this.rowOf = new Int32Array(count).fill(-1)
    // Breadth-first order (by depth, a counting sort): a failure link points to a shallower node.
    const byDepth = new Int32Array(maxDepth + 2)
    for (let n = 0; n < count; n++) byDepth[depth[n] + 1]++
    for (let d = 1; d < byDepth.length; d++) byDepth[d] += byDepth[d - 1]
    const order = new Int32Array(count)
    for (let n = 0; n < count; n++) order[byDepth[depth[n]]++] = n
    // Children of each node, for the dense rows (a counting sort by parent).
    const childStart = new Int32Array(count + 1)
    for (let n = 1; n < count; n++) childStart[parent[n] + 1]++
    for (let n = 1; n <= count; n++) childStart[n] += childStart[n - 1]
    const children = new Int32Array(Math.max(count - 1, 0))
    const fill = childStart.slice(0, count)
    for (let n = 1; n < count; n++) children[fill[parent[n]]++] = n
    const rows = Math.min(count, DENSE_ROWS)
    this.dense = new Int32Array(rows * 128)
    for (let k = 0; k < count; k++) {
      const node = order[k]
      if (depth[node] >= 2) {
        const f = this.step(this.fail[parent[node]], label[node])
        this.fail[node] = f
        this.dict[node] = this.out[f] >= 0 ? f : this.dict[f]
      }
      if (k >= rows) continue
      // Its row: the failure target's (complete: shallower, so earlier), overridden by its own children.
      const base = k * 128
      if (node === 0) this.dense.set(this.root.subarray(0, 128), 0)
      else this.dense.copyWithin(base, this.rowOf[this.fail[node]] * 128, this.rowOf[this.fail[node]] * 128 + 128)
      for (let j = childStart[node]; j < childStart[node + 1]; j++) {
        const child = children[j]
        if (label[child] < 128) this.dense[base + label[child]] = child
      }
      this.rowOf[node] = k
    }
  }

  private slot(node: number, c: number): number {
    const h = Math.imul(node, 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca77)
    return (h ^ (h >>> 15)) & this.mask
  }

  private insert(node: number, c: number, child: number): void {
    const { edges, mask } = this
    let s = this.slot(node, c)
    while (edges[s * 3] !== -1) s = (s + 1) & mask
    edges[s * 3] = node
    edges[s * 3 + 1] = c
    edges[s * 3 + 2] = child
  }

  /** The child of `node` on `c`, or -1. */
  private child(node: number, c: number): number {
    const { edges, mask } = this
    let s = this.slot(node, c)
    for (;;) {
      const n = edges[s * 3]
      if (n === -1) return -1
      if (n === node && edges[s * 3 + 1] === c) return edges[s * 3 + 2]
      s = (s + 1) & mask
    }
  }

  /** The goto/failure transition from `state` on code unit `c`. */
  private step(state: number, c: number): number {
    for (;;) {
      if (state === 0) return this.root[c]
      if (c < 128 && this.rowOf[state] >= 0) return this.dense[this.rowOf[state] * 128 + c]
      const next = this.child(state, c)
      if (next !== -1) return next
      state = this.fail[state]
    }
  }

  /**
   * Finds every occurrence in `text`: pattern indices go to `patterns`, exclusive end offsets to `ends`
   * (both cleared first), in order of end offset. Returns the number of occurrences.
   */
  scan(text: string, patterns: number[], ends: number[]): number {
    patterns.length = 0
    ends.length = 0
    if (this.size === 0) return 0
    const { out, dict, root, rowOf, dense } = this
    let state = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      const row = rowOf[state]
      state = c < 128 && row >= 0 ? dense[row * 128 + c] : state === 0 ? root[c] : this.step(state, c)
      if (state === 0) continue
      let node = out[state] >= 0 ? state : dict[state]
      while (node >= 0) {
        patterns.push(out[node])
        ends.push(i + 1)
        node = dict[node]
      }
    }
    return patterns.length
  }
}
