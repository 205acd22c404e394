/**
 * The `sql` tagged template and its per-dialect compiler.
 *
 * `sql\`select * from t where a = ${x}\`` captures literal chunks and values; values are always bound
 * as parameters, never spliced into the text. A value that is itself an `Sql` (built by `sql`,
 * `sql.join`, `sql.raw` or `sql.empty`) is inlined as a fragment and its values merged.
 */
import type { Dialect, Sql } from './types.js'

/** A statement compiled for one dialect: `?` placeholders for SQLite, `$1..$n` for Postgres. */
export interface CompiledSql {
  readonly text: string
  readonly values: unknown[]
}

/** The concrete `Sql` built by this module; `cacheable` when `strings` is a template's own array. */
class SqlFragment implements Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
    readonly cacheable: boolean,
  ) {}
}

/** True when `value` is a fragment built by `sql` (and therefore inlined, not bound). */
export function isSql(value: unknown): value is Sql {
  return value instanceof SqlFragment
}

/** Inlines nested fragments: returns fresh `strings`/`values` with no `Sql` among the values. */
function flatten(strings: readonly string[], values: readonly unknown[]): SqlFragment {
  const outStrings: string[] = [strings[0]]
  const outValues: unknown[] = []
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (value instanceof SqlFragment) {
      const inner = value.strings
      outStrings[outStrings.length - 1] += inner[0]
      for (let j = 0; j < value.values.length; j++) {
        outValues.push(value.values[j])
        outStrings.push(inner[j + 1])
      }
      outStrings[outStrings.length - 1] += strings[i + 1]
    } else {
      outValues.push(value)
      outStrings.push(strings[i + 1])
    }
  }
  return new SqlFragment(outStrings, outValues, false)
}

function build(strings: readonly string[], values: readonly unknown[]): SqlFragment {
  for (let i = 0; i < values.length; i++) {
    if (values[i] instanceof SqlFragment) return flatten(strings, values)
  }
  return new SqlFragment(strings, values, Object.isFrozen(strings))
}

/** Builds a statement from a tagged template; see the module comment for fragment rules. */
function sqlTag(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return build(strings, values)
}

/**
 * Joins `parts` with `separator` (default `, `). Each part that is an `Sql` is inlined; any other
 * value is bound as a parameter, so `sql\`id in (${sql.join(ids)})\`` works for plain arrays.
 */
function join(parts: readonly unknown[], separator: Sql | string = ', '): Sql {
  if (parts.length === 0) return empty
  const sep = typeof separator === 'string' ? raw(separator) : build(separator.strings, separator.values)
  const strings: string[] = ['']
  const values: unknown[] = []
  parts.forEach((part, i) => {
    if (i > 0) {
      values.push(sep)
      strings.push('')
    }
    values.push(part)
    strings.push('')
  })
  return build(strings, values)
}

/** Trusted text inlined verbatim (identifiers, keywords). Never pass user input here. */
function raw(text: string): Sql {
  return new SqlFragment([text], [], false)
}

const empty: Sql = new SqlFragment([''], [], false)

/** The `sql` tag, with `sql.join`, `sql.raw` and `sql.empty`. */
export const sql: typeof sqlTag & {
  readonly join: typeof join
  readonly raw: typeof raw
  readonly empty: Sql
} = Object.assign(sqlTag, { join, raw, empty })

/** Compiled text per template `strings` array (only for fragment-free statements). */
const textCache = new WeakMap<readonly string[], { sqlite?: string; postgres?: string }>()

function compileText(strings: readonly string[], dialect: Dialect): string {
  let text = strings[0]
  if (dialect === 'postgres') {
    for (let i = 1; i < strings.length; i++) text += '$' + i + strings[i]
  } else {
    for (let i = 1; i < strings.length; i++) text += '?' + strings[i]
  }
  return text
}

/** Maps values to what the drivers bind: `undefined` → null, booleans → 1/0 (both dialects). */
function bindValues(values: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(values.length)
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    out[i] = value === undefined ? null : value === true ? 1 : value === false ? 0 : value
  }
  return out
}

/**
 * Compiles `statement` for `dialect`. Statements not built by `sql` (plain `{strings, values}`)
 * are accepted too; nested fragments in them are inlined.
 */
export function compile(statement: Sql, dialect: Dialect): CompiledSql {
  const fragment = statement instanceof SqlFragment ? statement : build(statement.strings, statement.values)
  const { strings } = fragment
  let text: string | undefined
  if (fragment.cacheable) {
    let entry = textCache.get(strings)
    if (entry === undefined) {
      entry = {}
      textCache.set(strings, entry)
    }
    text = entry[dialect]
    if (text === undefined) {
      text = compileText(strings, dialect)
      entry[dialect] = text
    }
  } else {
    text = compileText(strings, dialect)
  }
  return { text, values: bindValues(fragment.values) }
}
