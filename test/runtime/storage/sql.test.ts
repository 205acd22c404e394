import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compile, isSql, sql } from '../../../src/runtime/storage/sql.js'
import type { Sql } from '../../../src/runtime/storage/types.js'

interface Case {
  readonly name: string
  readonly statement: Sql
  readonly sqlite: string
  readonly postgres: string
  /** Bound values, the same for both dialects. */
  readonly values: unknown[]
}

const id = 7
const cases: Case[] = [
  { name: 'no values', statement: sql`select 1`, sqlite: 'select 1', postgres: 'select 1', values: [] },
  {
    name: 'plain values',
    statement: sql`select * from t where a = ${id} and b = ${'x'}`,
    sqlite: 'select * from t where a = ? and b = ?',
    postgres: 'select * from t where a = $1 and b = $2',
    values: [7, 'x'],
  },
  {
    name: 'booleans become 1/0, undefined becomes null',
    statement: sql`values (${true}, ${false}, ${undefined}, ${null})`,
    sqlite: 'values (?, ?, ?, ?)',
    postgres: 'values ($1, $2, $3, $4)',
    values: [1, 0, null, null],
  },
  {
    name: 'nested fragments are inlined and their values merged in order',
    statement: sql`select ${1} where ${sql`a = ${2} and ${sql`b = ${3}`}`} and c = ${4}`,
    sqlite: 'select ? where a = ? and b = ? and c = ?',
    postgres: 'select $1 where a = $2 and b = $3 and c = $4',
    values: [1, 2, 3, 4],
  },
  {
    name: 'a fragment at the start and end',
    statement: sql`${sql`select ${1}`} ${sql.raw('from t')}`,
    sqlite: 'select ? from t',
    postgres: 'select $1 from t',
    values: [1],
  },
  {
    name: 'join binds plain values and inlines fragments',
    statement: sql`where id in (${sql.join([1, 2, 3])}) and ${sql.join([sql`x = ${'a'}`, sql`y = ${'b'}`], sql` or `)}`,
    sqlite: 'where id in (?, ?, ?) and x = ? or y = ?',
    postgres: 'where id in ($1, $2, $3) and x = $4 or y = $5',
    values: [1, 2, 3, 'a', 'b'],
  },
  {
    name: 'join with a string separator, and of nothing',
    statement: sql`set ${sql.join([sql.raw('a = 1'), sql.raw('b = 2')], '; ')}${sql.join([])}`,
    sqlite: 'set a = 1; b = 2',
    postgres: 'set a = 1; b = 2',
    values: [],
  },
  {
    name: 'raw identifiers and the empty fragment',
    statement: sql`select ${sql.raw('"name"')} from ${sql.raw('users')}${sql.empty} where id = ${id}`,
    sqlite: 'select "name" from users where id = ?',
    postgres: 'select "name" from users where id = $1',
    values: [7],
  },
  {
    name: 'a plain {strings, values} object',
    statement: { strings: ['select ', ' + ', ''], values: [1, sql`${2}`] },
    sqlite: 'select ? + ?',
    postgres: 'select $1 + $2',
    values: [1, 2],
  },
]

describe('compile()', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(compile(c.statement, 'sqlite'), { text: c.sqlite, values: c.values })
      assert.deepEqual(compile(c.statement, 'postgres'), { text: c.postgres, values: c.values })
    })
  }

  it('caches text per template and keeps values per call', () => {
    const build = (n: number) => sql`select ${n}`
    const a = compile(build(1), 'postgres')
    const b = compile(build(2), 'postgres')
    assert.equal(a.text, b.text)
    assert.deepEqual([a.values, b.values], [[1], [2]])
    assert.equal(compile(build(3), 'sqlite').text, 'select ?')
  })

  it('does not mutate the statement values', () => {
    const statement = sql`values (${true}, ${undefined})`
    compile(statement, 'sqlite')
    assert.deepEqual(statement.values, [true, undefined])
  })

  it('recognises fragments', () => {
    assert.ok(isSql(sql`x`))
    assert.ok(isSql(sql.raw('x')))
    assert.ok(!isSql({ strings: ['x'], values: [] }))
    assert.ok(!isSql('x'))
  })
})
