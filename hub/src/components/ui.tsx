/**
 * Accessible building blocks: every input has a visible label (and its error tied with aria-describedby),
 * buttons are real buttons, status changes are announced through live regions. Colours keep WCAG AA contrast.
 */
import {
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
  useState,
} from 'react'
import { ApiError } from '../api'

type Variant = 'primary' | 'secondary' | 'danger'
const VARIANTS: Record<Variant, string> = {
  primary: 'bg-indigo-700 text-white hover:bg-indigo-800 disabled:bg-slate-400',
  secondary: 'bg-white text-slate-900 ring-1 ring-slate-300 hover:bg-slate-100 disabled:text-slate-500',
  danger: 'bg-red-700 text-white hover:bg-red-800 disabled:bg-slate-400',
}

export function Button(props: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }) {
  const { variant = 'primary', busy, className = '', children, disabled, type = 'button', ...rest } = props
  return (
    <button
      {...rest}
      type={type}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={`inline-flex min-h-10 items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-semibold ${VARIANTS[variant]} ${className}`}
    >
      {children}
    </button>
  )
}

const inputClass =
  'block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500 aria-[invalid=true]:border-red-700'

type FieldProps = {
  label: string
  hint?: string | undefined
  error?: string | undefined
  /** The label is read by screen readers but not shown (a table column header shows it). */
  hideLabel?: boolean | undefined
}

function FieldShell(props: FieldProps & { id: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={props.id} className={props.hideLabel ? 'sr-only' : 'text-sm font-medium text-slate-800'}>
        {props.label}
      </label>
      {props.children}
      {props.hint && (
        <p id={`${props.id}-hint`} className="text-xs text-slate-600">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${props.id}-error`} className="text-xs font-medium text-red-700">
          {props.error}
        </p>
      )}
    </div>
  )
}

function described(id: string, p: FieldProps): string | undefined {
  const ids = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean)
  return ids.length ? ids.join(' ') : undefined
}

export function TextField(props: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const { label, hint, error, hideLabel, id: given, className = '', ...rest } = props
  const auto = useId()
  const id = given ?? auto
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} hideLabel={hideLabel}>
      <input
        {...rest}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={described(id, props)}
        className={`${inputClass} ${className}`}
      />
    </FieldShell>
  )
}

export function TextArea(props: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { label, hint, error, hideLabel, id: given, className = '', ...rest } = props
  const auto = useId()
  const id = given ?? auto
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} hideLabel={hideLabel}>
      <textarea
        {...rest}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={described(id, props)}
        className={`${inputClass} font-mono ${className}`}
      />
    </FieldShell>
  )
}

export function Select(props: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: string[] }) {
  const { label, hint, error, hideLabel, id: given, options, className = '', ...rest } = props
  const auto = useId()
  const id = given ?? auto
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} hideLabel={hideLabel}>
      <select {...rest} id={id} aria-describedby={described(id, props)} className={`${inputClass} ${className}`}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </FieldShell>
  )
}

export function Checkbox(props: {
  label: string
  checked: boolean
  onChange: (v: boolean) => void
  disabled?: boolean
  hideLabel?: boolean
}) {
  const id = useId()
  return (
    <div className="flex items-center gap-2">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
        className="h-5 w-5 rounded border-slate-400 accent-indigo-700"
      />
      <label htmlFor={id} className={props.hideLabel ? 'sr-only' : 'text-sm text-slate-800'}>
        {props.label}
      </label>
    </div>
  )
}

export function Card(props: { title?: string; children: ReactNode; actions?: ReactNode; level?: 2 | 3 }) {
  const H = props.level === 3 ? 'h3' : 'h2'
  return (
    <section className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-6">
      {(props.title || props.actions) && (
        <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
          {props.title && <H className="text-lg font-semibold text-slate-900">{props.title}</H>}
          {props.actions}
        </div>
      )}
      {props.children}
    </section>
  )
}

export function PageHeader(props: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl">{props.title}</h1>
        {props.subtitle && <p className="mt-1 text-slate-700">{props.subtitle}</p>}
      </div>
      {props.actions}
    </div>
  )
}

export function Notice(props: { kind?: 'info' | 'error' | 'success'; children: ReactNode }) {
  const kind = props.kind ?? 'info'
  const cls = {
    info: 'bg-sky-50 text-sky-900 ring-sky-200',
    error: 'bg-red-50 text-red-900 ring-red-200',
    success: 'bg-emerald-50 text-emerald-900 ring-emerald-200',
  }[kind]
  return (
    <div role={kind === 'error' ? 'alert' : 'status'} className={`rounded-md p-3 text-sm ring-1 ${cls}`}>
      {props.children}
    </div>
  )
}

export function ErrorNotice(props: { error: unknown }) {
  if (!props.error) return null
  const e = props.error
  const text =
    e instanceof ApiError ? `${e.message}${e.hint ? ` (${e.hint})` : ''}` : e instanceof Error ? e.message : String(e)
  return <Notice kind="error">{text}</Notice>
}

export function Loading(props: { label?: string }) {
  return (
    <p role="status" className="text-sm text-slate-700">
      {props.label ?? 'Loading…'}
    </p>
  )
}

export function Table(props: { caption: string; head: string[]; children: ReactNode; empty?: string; rows: number }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr className="border-b border-slate-300">
            {props.head.map((h) => (
              <th key={h} scope="col" className="px-2 py-2 font-semibold text-slate-800">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">
          {props.children}
          {props.rows === 0 && (
            <tr>
              <td colSpan={props.head.length} className="px-2 py-3 text-slate-700">
                {props.empty ?? 'Nothing yet.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  )
}

export const Td = (props: { children?: ReactNode; className?: string }) => (
  <td className={`px-2 py-2 align-top text-slate-800 ${props.className ?? ''}`}>{props.children}</td>
)

export function Badge(props: { children: ReactNode; tone?: 'slate' | 'green' | 'amber' | 'indigo' | 'red' }) {
  const tone = {
    slate: 'bg-slate-100 text-slate-800',
    green: 'bg-emerald-100 text-emerald-900',
    amber: 'bg-amber-100 text-amber-900',
    indigo: 'bg-indigo-100 text-indigo-900',
    red: 'bg-red-100 text-red-900',
  }[props.tone ?? 'slate']
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${tone}`}>{props.children}</span>
}

/** Copies `text` to the clipboard and says so in a live region. */
export function CopyButton(props: { text: string; label: string }) {
  const [done, setDone] = useState<'' | 'copied' | 'failed'>('')
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text)
      setDone('copied')
    } catch {
      setDone('failed')
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <Button variant="secondary" onClick={copy} aria-label={props.label}>
        Copy
      </Button>
      <span role="status" className="text-xs text-slate-700">
        {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed: select the text' : ''}
      </span>
    </span>
  )
}
