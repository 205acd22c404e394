/** The schema of waddlebot.yaml (docs/configuration.md). Strict: an unknown key is an error naming it. */
import { z } from 'zod'
import { LOG_FORMATS } from './log-pretty.js'

const moduleSettingsSchema = z
  .object({
    enabled: z.boolean().optional(),
    /** Where this module is reached when it is not hosted in this process. */
    url: z.url().optional(),
    /** Port override (custom modules; seed modules keep their documented port). */
    port: z.number().int().min(1).max(65_535).optional(),
    /** Folder of a project module (custom modules), relative to the project folder. */
    path: z.string().min(1).optional(),
    /** npm name of a module installed in the project's node_modules (`waddlebot module add`). */
    package: z
      .string()
      .regex(/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/, 'must be an npm package name')
      .optional(),
    replicas: z.number().int().min(1).max(16).optional(),
  })
  .catchall(z.unknown())

const platformSchema = z
  .object({
    enabled: z.boolean().optional(),
    channels: z.array(z.string().min(1)).optional(),
  })
  .catchall(z.unknown())

export const configSchema = z
  .object({
    bind: z.string().min(1).default('127.0.0.1'),
    port_offset: z.number().int().min(0).max(50_000).optional(),
    data_dir: z.string().min(1).default('./data'),
    database: z.strictObject({ url: z.string().min(1).optional(), read_url: z.string().min(1).optional() }).default({}),
    redis: z
      .strictObject({ url: z.string().min(1).optional(), prefix: z.string().min(1).max(100).default('wb:') })
      .default({ prefix: 'wb:' }),
    auth: z.strictObject({ require_keys: z.boolean().default(true) }).default({ require_keys: true }),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        format: z.enum(LOG_FORMATS).default('auto'),
      })
      .default({ level: 'info', format: 'auto' }),
    modules: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'module names are kebab-case'), moduleSettingsSchema)
      .default({}),
    twitch: platformSchema.optional(),
    discord: platformSchema.optional(),
    slack: platformSchema.optional(),
    local: platformSchema.optional(),
  })
  .strict()

export type ConfigFile = z.infer<typeof configSchema>
export type ModuleSettings = z.infer<typeof moduleSettingsSchema>

/** Keys that look like secrets must never be in the file (CONTRACT §2). */
export const SECRET_KEY = /(token|secret|password|passwd|api_?key|private_?key|client_secret)$/i
