/** Custom commands (aliases): list, add, edit the response, remove. */
import { useState } from 'react'
import { del, post, put } from '../../api'
import { Button, Card, ErrorNotice, Loading, Notice, Table, Td, TextField } from '../../components/ui'
import { useAction, useApi } from '../../hooks'
import type { Alias } from '../../types'
import type { SectionProps } from '../community-admin'

function AliasRow(props: { alias: Alias; base: string; onChange: () => void }) {
  const { alias, base } = props
  const [editing, setEditing] = useState(false)
  const [response, setResponse] = useState(alias.response)
  const path = `${base}/aliases/${encodeURIComponent(alias.name)}`
  const save = useAction(async () => {
    await put(path, { response })
    setEditing(false)
    props.onChange()
  })
  const remove = useAction(async () => {
    await del(path)
    props.onChange()
  })
  return (
    <tr>
      <Td className="font-mono">!{alias.name}</Td>
      <Td className="break-all">
        {editing ? (
          <TextField
            label={`Response of !${alias.name}`}
            value={response}
            onChange={(e) => setResponse(e.target.value)}
          />
        ) : (
          alias.response
        )}
        <ErrorNotice error={save.error ?? remove.error} />
      </Td>
      <Td>
        <div className="flex gap-2">
          {editing ? (
            <Button busy={save.busy} onClick={() => void save.run()} aria-label={`Save !${alias.name}`}>
              Save
            </Button>
          ) : (
            <Button variant="secondary" onClick={() => setEditing(true)} aria-label={`Edit !${alias.name}`}>
              Edit
            </Button>
          )}
          <Button
            variant="danger"
            busy={remove.busy}
            onClick={() => void remove.run()}
            aria-label={`Remove !${alias.name}`}
          >
            Remove
          </Button>
        </div>
      </Td>
    </tr>
  )
}

export function Aliases({ base }: SectionProps) {
  const list = useApi<{ aliases: Alias[] }>(`${base}/aliases`)
  const [name, setName] = useState('')
  const [response, setResponse] = useState('')
  const [done, setDone] = useState('')
  const add = useAction(async () => {
    const clean = name.replace(/^!/, '')
    await post(`${base}/aliases`, { name: clean, response })
    setDone(`!${clean} added.`)
    setName('')
    setResponse('')
    list.reload()
  })
  const aliases = list.data?.aliases ?? []
  return (
    <Card title="Aliases">
      {list.loading && !list.data && <Loading />}
      <ErrorNotice error={list.error} />
      <Table caption="Aliases" head={['Command', 'Response', '']} rows={aliases.length} empty="No alias yet.">
        {aliases.map((a) => (
          <AliasRow key={a.name} alias={a} base={base} onChange={list.reload} />
        ))}
      </Table>
      <form
        aria-label="Add an alias"
        className="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault()
          void add.run()
        }}
      >
        <TextField
          label="Command"
          hint="without the !"
          required
          maxLength={33}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="sm:col-span-2">
          <TextField
            label="Response"
            hint="{user}, {args} and the other placeholders of docs/alias.md"
            required
            maxLength={500}
            value={response}
            onChange={(e) => setResponse(e.target.value)}
          />
        </div>
        <div className="flex flex-col gap-2 sm:col-span-3">
          <ErrorNotice error={add.error} />
          {done && !add.error && <Notice kind="success">{done}</Notice>}
          <div>
            <Button type="submit" busy={add.busy}>
              Add alias
            </Button>
          </div>
        </div>
      </form>
    </Card>
  )
}
