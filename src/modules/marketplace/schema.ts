/**
 * The manifest of a community module (docs/marketplace.md): one zod schema validates it wherever it enters
 * (`waddlebot marketplace publish`, `POST /api/v1/marketplace/modules`), and gives its TypeScript type.
 */
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { WaddleError } from '../../runtime/errors.js'
import { PERMISSION_LEVELS } from '../../runtime/module.js'

/**
 * The scopes a module may ask for. The router enforces them on every reply: a response type whose scope the
 * community did not approve is dropped (see `allowedResponses`).
 */
export const SCOPES = {
  'chat:write': 'answer in chat',
  'overlay:write': 'show media, tickers and cards on the community overlays',
  'moderation:write': 'warn, delete, time out or ban users',
  'forms:write': 'show forms',
} as const
export type Scope = keyof typeof SCOPES
const SCOPE_NAMES = Object.keys(SCOPES) as [Scope, ...Scope[]]

/** The scope each response type needs. */
export const RESPONSE_SCOPE: Record<string, Scope> = {
  chat: 'chat:write',
  whisper: 'chat:write',
  media: 'overlay:write',
  ticker: 'overlay:write',
  general: 'overlay:write',
  moderation: 'moderation:write',
  form: 'forms:write',
}

export const MODULE_NAME = /^[a-z][a-z0-9-]{1,39}$/
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$/

const targetSchema = z
  .object({
    type: z.enum(['webhook', 'lambda', 'openwhisk', 'container']),
    /** webhook/container: an http(s) URL; lambda: `lambda:<function>[@region]`; openwhisk: `openwhisk:<ns>/<action>`. */
    location: z.string().min(1).max(500),
    timeout_ms: z.number().int().min(100).max(30_000).default(5000),
  })
  .superRefine((t, issues) => {
    const ok =
      t.type === 'lambda'
        ? /^lambda:[A-Za-z0-9_:-]+(@[a-z0-9-]+)?$/.test(t.location)
        : t.type === 'openwhisk'
          ? /^openwhisk:[^/\s]+\/\S+$/.test(t.location)
          : /^https?:\/\/[^/\s]+\S*$/.test(t.location)
    if (!ok) {
      const shape = {
        lambda: 'lambda:<function>[@region]',
        openwhisk: 'openwhisk:<namespace>/<action>',
        webhook: 'an http(s) URL',
        container: 'an http(s) URL',
      }[t.type]
      issues.addIssue({ code: 'custom', path: ['location'], message: `must be ${shape} for a ${t.type} target` })
    }
  })

export const moduleManifestSchema = z
  .object({
    name: z.string().regex(MODULE_NAME, 'must be kebab-case, 2-40 characters, starting with a letter'),
    version: z.string().regex(SEMVER, 'must be a semantic version such as 1.2.0'),
    summary: z.string().min(1).max(200),
    author: z.string().max(100).optional(),
    commands: z
      .array(
        z.object({
          name: z.string().regex(/^#[a-z0-9][a-z0-9_-]{0,31}$/, 'must be a # command such as #weather'),
          usage: z.string().max(100).default(''),
          summary: z.string().max(200).default(''),
          permission: z.enum(PERMISSION_LEVELS).default('everyone'),
        }),
      )
      .min(1)
      .max(20),
    target: targetSchema,
    /** What the community admin approves at install. */
    scopes: z.array(z.enum(SCOPE_NAMES)).max(SCOPE_NAMES.length).default(['chat:write']),
    /** sha256 of the artifact the target runs; the target reports the same value to the marketplace probe. */
    checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lower-case hex digits>'),
  })
  .superRefine((m, issues) => {
    const seen = new Set<string>()
    m.commands.forEach((c, i) => {
      if (seen.has(c.name))
        issues.addIssue({ code: 'custom', path: ['commands', i, 'name'], message: `${c.name} is declared twice` })
      seen.add(c.name)
    })
  })

export type ModuleManifestInput = z.input<typeof moduleManifestSchema>
export type ModuleManifest = z.infer<typeof moduleManifestSchema>

/** Validates a manifest; WB_INPUT_INVALID names the first bad field (e.g. `commands.0.name`). */
export function parseManifest(value: unknown): ModuleManifest {
  const parsed = moduleManifestSchema.safeParse(value)
  if (parsed.success) return parsed.data
  const { field, message } = describeIssue(parsed.error)
  throw new WaddleError('WB_INPUT_INVALID', { field: `manifest.${field}`, reason: message })
}

/** Validates any request body with `schema`. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const { field, message } = describeIssue(parsed.error)
  throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
}

/** Orders semantic versions (pre-releases before their release). */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [core, pre] = v.split('-', 2) as [string, string | undefined]
    return { nums: core.split('.').map(Number), pre }
  }
  const x = split(a)
  const y = split(b)
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0)
  if (x.pre === y.pre) return 0
  if (x.pre === undefined) return 1
  if (y.pre === undefined) return -1
  return x.pre < y.pre ? -1 : 1
}
