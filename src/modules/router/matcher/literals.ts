/**
 * The literal index of a matcher: every contains/word literal and every regex prefilter literal in ONE
 * Aho-Corasick automaton over case-folded text. Case-sensitive literals join it under their folded form and
 * are verified against the original text at the same offsets (folding keeps offsets whenever it keeps the
 * length, which is the case for almost all text). For the rare text whose folding changes its length
 * (e.g. containing İ), case-sensitive literals are scanned with a second automaton over the original text,
 * built on first need.
 */
import { AhoCorasick } from './aho-corasick.js'
import { edgeWordness, fold } from './text.js'

/** The rules behind one literal, by how they use it. */
export interface LiteralEntry {
  readonly contains: number[]
  readonly word: number[]
  /** Regex rules for which this literal is a prefilter. */
  readonly regex: number[]
  /** Case-sensitive contains/word rules: verified against the original text. */
  readonly csContains: number[]
  readonly csWord: number[]
}

type Kind = 'contains' | 'word'

/** One automaton and what each of its patterns stands for. */
export interface LiteralTable {
  readonly ac: AhoCorasick
  readonly entries: readonly LiteralEntry[]
  readonly lengths: readonly number[]
  readonly edges: readonly { readonly left: boolean; readonly right: boolean }[]
}

class TableBuilder {
  private readonly byText = new Map<string, LiteralEntry>()
  entry(literal: string): LiteralEntry {
    let entry = this.byText.get(literal)
    if (entry === undefined) {
      entry = { contains: [], word: [], regex: [], csContains: [], csWord: [] }
      this.byText.set(literal, entry)
    }
    return entry
  }
  build(): LiteralTable {
    const texts = [...this.byText.keys()]
    return {
      ac: new AhoCorasick(texts),
      entries: [...this.byText.values()],
      lengths: texts.map((t) => t.length),
      edges: texts.map(edgeWordness),
    }
  }
}

/** Collects literals while rules are compiled; `build()` freezes them into a {@link LiteralIndex}. */
export class LiteralIndexBuilder {
  private readonly folded = new TableBuilder()
  private readonly sensitive: { literal: string; kind: Kind; rule: number }[] = []
  /** The original literal of each case-sensitive rule. */
  private readonly csLiteral: string[] = []

  /** A case-insensitive contains/word literal (not yet folded). */
  addFolded(literal: string, kind: Kind, rule: number): void {
    this.folded.entry(fold(literal))[kind].push(rule)
  }

  /** A lower-cased regex prefilter literal. */
  addRegexLiteral(literal: string, rule: number): void {
    this.folded.entry(literal).regex.push(rule)
  }

  /** A case-sensitive contains/word literal. */
  addSensitive(literal: string, kind: Kind, rule: number): void {
    this.sensitive.push({ literal, kind, rule })
    this.csLiteral[rule] = literal
    const key = fold(literal)
    // A literal whose folding changes its length can only occur in text whose folding does too: the
    // fallback automaton finds it there.
    if (key.length === literal.length) this.folded.entry(key)[kind === 'word' ? 'csWord' : 'csContains'].push(rule)
  }

  build(): LiteralIndex {
    return new LiteralIndex(this.folded.build(), this.sensitive, this.csLiteral)
  }
}

/** The frozen literal index; see the module comment. */
export class LiteralIndex {
  private fallback: LiteralTable | undefined

  constructor(
    readonly folded: LiteralTable,
    private readonly sensitive: readonly { literal: string; kind: Kind; rule: number }[],
    /** The original literal of each case-sensitive rule (indexed by rule). */
    readonly csLiteral: readonly string[],
  ) {}

  /** Whether any literal at all was indexed. */
  get empty(): boolean {
    return this.folded.ac.size === 0 && this.sensitive.length === 0
  }

  /** The automaton of case-sensitive literals over original text (built once, on first need). */
  sensitiveTable(): LiteralTable | undefined {
    if (this.sensitive.length === 0) return undefined
    if (this.fallback === undefined) {
      const builder = new TableBuilder()
      for (const { literal, kind, rule } of this.sensitive) builder.entry(literal)[kind].push(rule)
      this.fallback = builder.build()
    }
    return this.fallback
  }
}
