/**
 * Every coded error of waddlebot in one registry: code → message template, CLI exit code, HTTP status, hint.
 * docs/errors.md lists the same codes; test/runtime/errors.test.ts keeps the two in sync.
 */
export const ERRORS = {
  WB_CONFIG_INVALID: {
    status: 500,
    exit: 2,
    message: 'invalid configuration at {key}: {reason}',
    hint: 'fix {file} (see docs/configuration.md)',
  },
  WB_CONFIG_NOT_FOUND: {
    status: 500,
    exit: 2,
    message: 'config file {file} not found',
    hint: 'run `waddlebot init` or pass --config',
  },
  WB_CONFIG_SECRET_IN_FILE: {
    status: 500,
    exit: 2,
    message: 'secret-looking key {key} in {file}',
    hint: 'secrets belong in the environment or .env, never in waddlebot.yaml',
  },
  WB_PORT_IN_USE: {
    status: 500,
    exit: 3,
    message: 'port {port} for module {module} is already in use',
    hint: 'stop the other process, or set WADDLEBOT_PORT_OFFSET',
  },
  WB_MODULE_UNKNOWN: { status: 404, exit: 2, message: 'unknown module {module}', hint: 'see `waddlebot module list`' },
  WB_MODULE_NOT_AVAILABLE: {
    status: 501,
    exit: 2,
    message: 'module {module} is not available yet',
    hint: 'see `waddlebot module list` for the modules that are built',
  },
  WB_MODULE_LOAD_FAILED: {
    status: 500,
    exit: 2,
    message: 'module {module} could not be loaded: {reason}',
    hint: 'check the path in waddlebot.yaml and the module file',
  },
  WB_MODULE_INVALID: {
    status: 500,
    exit: 2,
    message: 'module {module} is invalid: {reason}',
    hint: 'see docs/modules.md for the module contract',
  },
  WB_MODULE_EXISTS: {
    status: 409,
    exit: 2,
    message: 'module {module} already exists at {path}',
    hint: 'pick another name or remove the folder',
  },
  WB_PROJECT_EXISTS: {
    status: 409,
    exit: 2,
    message: '{dir} already holds a waddlebot project',
    hint: 'pass --force to re-render its files, or pick another folder',
  },
  WB_FILE_EXISTS: {
    status: 409,
    exit: 2,
    message: '{path} already exists',
    hint: 'pass --force to overwrite it, or move the file away',
  },
  WB_COMMAND_COLLISION: {
    status: 500,
    exit: 2,
    message: 'command {command} is declared by both {first} and {second}',
    hint: 'rename one command or alias',
  },
  WB_STORAGE_URL_INVALID: {
    status: 500,
    exit: 2,
    message: 'unsupported DATABASE_URL {url}',
    hint: 'use sqlite:./data/waddlebot.db or postgres://user@host/db',
  },
  WB_DATABASE_URL_REQUIRED: {
    status: 400,
    exit: 2,
    message: '`init --storage postgres` needs the database first: {got}',
    hint: 'run it as DATABASE_URL=postgres://user:password@127.0.0.1:5432/mybot waddlebot init … --storage postgres, or use --storage sqlite',
  },
  WB_STORAGE_UNREACHABLE: {
    status: 503,
    exit: 4,
    message: 'database unreachable: {reason}',
    hint: 'check DATABASE_URL and that the server is running',
  },
  WB_MIGRATION_FAILED: {
    status: 500,
    exit: 4,
    message: 'migration {module}/{id} failed: {reason}',
    hint: 'see `waddlebot db status`',
  },
  WB_CACHE_UNREACHABLE: {
    status: 503,
    exit: 4,
    message: 'Redis unreachable: {reason}',
    hint: 'check REDIS_URL, or unset it to use the in-process cache',
  },
  WB_ROUTER_UNREACHABLE: {
    status: 503,
    exit: 5,
    message: 'router unreachable at {url}',
    hint: 'start the bot with `waddlebot start` or pass --url',
  },
  WB_AUTH_REQUIRED: {
    status: 401,
    exit: 6,
    message: 'API key required',
    hint: 'send X-API-Key or Authorization: Bearer <key> (`waddlebot keys create`)',
  },
  WB_AUTH_INVALID: {
    status: 401,
    exit: 6,
    message: 'API key invalid or revoked',
    hint: 'create a new one with `waddlebot keys create`',
  },
  WB_AUTH_SCOPE: {
    status: 403,
    exit: 6,
    message: 'API key scope {scope} may not call {route}',
    hint: 'use a key with scope {needed}',
  },
  WB_KEY_UNKNOWN: { status: 404, exit: 2, message: 'no API key with id {id}', hint: 'see `waddlebot keys list`' },
  WB_PLATFORM_AUTH_FAILED: {
    status: 401,
    exit: 6,
    message: '{platform} refused {what}: {reason}',
    hint: 'copy the value again (whole, no spaces) and rerun `waddlebot auth {platform}`',
  },
  WB_PLATFORM_UNREACHABLE: {
    status: 502,
    exit: 5,
    message: '{platform} unreachable at {url}: {reason}',
    hint: 'check the network, or {variable} if it points elsewhere',
  },
  WB_OAUTH_DENIED: {
    status: 403,
    exit: 6,
    message: '{platform} authorization was denied',
    hint: 'rerun `waddlebot auth {platform}` and choose Authorize on the page',
  },
  WB_OAUTH_EXPIRED: {
    status: 408,
    exit: 6,
    message: 'the {platform} code expired before it was entered',
    hint: 'rerun `waddlebot auth {platform}` and enter the new code in time',
  },
  WB_DB_TOOL_MISSING: {
    status: 500,
    exit: 4,
    message: '{tool} not found',
    hint: 'install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client) or put them on PATH',
  },
  WB_DB_BACKUP_FAILED: {
    status: 500,
    exit: 4,
    message: 'backup of {database} failed: {reason}',
    hint: 'check the target path, free disk space and DATABASE_URL',
  },
  WB_DB_RESTORE_FAILED: {
    status: 500,
    exit: 4,
    message: 'restore into {database} failed: {reason}',
    hint: 'restore a file made by `waddlebot db backup` on the same kind of database (SQLite file or Postgres SQL dump)',
  },
  WB_KEY_REVOKED: {
    status: 409,
    exit: 2,
    message: 'API key {id} was already revoked at {when}',
    hint: 'nothing to do; `waddlebot keys list` shows every key and its state',
  },
  WB_RULE_UNKNOWN: {
    status: 404,
    exit: 2,
    message: 'no string-match rule with id {id}',
    hint: 'see `waddlebot moderation list`',
  },
  WB_ALIAS_UNKNOWN: {
    status: 404,
    exit: 2,
    message: 'no custom command !{name} in community {community}',
    hint: 'see `waddlebot alias list`',
  },
  WB_ALIAS_CONFLICT: {
    status: 409,
    exit: 2,
    message: 'cannot add !{name}: {reason}',
    hint: 'pick another name, or edit the existing custom command',
  },
  WB_ALIAS_IMPORT_INVALID: {
    status: 400,
    exit: 2,
    message: '{file} line {line}: {reason}',
    hint: 'fix that line (docs/alias.md#importing) and import again; nothing was imported',
  },
  WB_LABEL_LIMIT: {
    status: 409,
    exit: 2,
    message: '{target} already has {limit} labels in community {community}',
    hint: 'remove one of its labels first, or raise modules.labels.{setting}',
  },
  WB_INPUT_INVALID: {
    status: 400,
    exit: 2,
    message: 'invalid {field}: {reason}',
    hint: 'see `--help`',
    httpHint: 'fix {field} (docs/errors.md#wb_input_invalid)',
  },
  WB_NOT_FOUND: {
    status: 404,
    exit: 2,
    message: 'nothing at {what}',
    hint: "check the URL (docs/modules.md lists each module's routes)",
  },
  WB_STATE_CONFLICT: {
    status: 409,
    exit: 2,
    message: 'conflict: {reason}',
    hint: 'read the current state (GET) and retry with a request that fits it',
  },
  WB_INTERNAL: {
    status: 500,
    exit: 1,
    message: 'internal error: {reason}',
    hint: 'see the log line with the same time for the cause',
  },
  WB_MEDIA_TYPE_UNSUPPORTED: {
    status: 415,
    exit: 2,
    message: 'content-type {type} is not accepted',
    hint: 'send the body as application/json',
  },
  WB_URL_TOO_LONG: {
    status: 414,
    exit: 2,
    message: 'a URL segment is longer than {limit} characters',
    hint: 'check the URL: overlay and login links are much shorter',
  },
  WB_REQUEST_TIMEOUT: {
    status: 408,
    exit: 2,
    message: 'the request did not arrive in time',
    hint: 'send the headers and body without pausing (WADDLEBOT_HTTP_REQUEST_TIMEOUT_MS)',
  },
  WB_RATE_LIMITED: {
    status: 429,
    exit: 1,
    message: 'too many {what} from this address; retry in {seconds} s',
    hint: 'wait, then use a valid link or key',
  },
  WB_BODY_TOO_LARGE: {
    status: 413,
    exit: 2,
    message: 'body larger than {limit} bytes',
    hint: 'send smaller events or use the batch endpoint',
  },
  WB_EXECUTION_SESSION_MISMATCH: {
    status: 409,
    exit: 1,
    message: 'reply for session {got} does not match execution session {expected}',
    hint: 'a module must echo the session_id it was given',
  },
  WB_SESSION_UNKNOWN: {
    status: 403,
    exit: 1,
    message: 'session {session} is unknown or expired',
    hint: 'reply within an hour, with the session_id of the execution',
  },
  WB_EXECUTION_UNKNOWN: {
    status: 404,
    exit: 1,
    message: 'no execution {execution} in session {session}',
    hint: 'reply with the execution_id and session_id you were given',
  },
  WB_ENTITY_UNKNOWN: {
    status: 404,
    exit: 1,
    message: 'no channel {entity} is known to the router',
    hint: 'announce only to a channel the bot has seen an event from (its entity_id, `<platform>:<server>:<channel>`)',
  },
  WB_MEMORIES_NOT_FOUND: {
    status: 404,
    exit: 2,
    message: 'no {what} {id}',
    hint: 'list them with GET /api/v1/memories/{what}s (docs/memories.md)',
  },
  WB_MEMORIES_TIMER_EXISTS: {
    status: 409,
    exit: 2,
    message: 'channel {entity} has a timer named {name} already',
    hint: 'pick another name, or change the timer with PATCH /api/v1/memories/timers/<id>',
  },
  WB_TARGET_FAILED: {
    status: 502,
    exit: 1,
    message: 'target {target} failed: {reason}',
    hint: 'check that the target is up and answers with the execution result (docs/targets.md)',
  },
  WB_TARGET_CIRCUIT_OPEN: {
    status: 503,
    exit: 1,
    message: 'target {target} is paused after repeated failures; next trial in {seconds} s',
    hint: 'fix the target; waddlebot_target_breaker_state in /metrics shows the circuit state',
  },
  WB_TARGET_INVALID: {
    status: 500,
    exit: 2,
    message: 'command {command} has an unusable {target_type} target: {reason}',
    hint: 'see docs/targets.md for location_url formats and the environment each target needs',
  },
  WB_COORDINATION_NOT_HOLDER: {
    status: 409,
    exit: 2,
    message: 'container {container} does not hold entity {entity} (held by {holder})',
    hint: 'claim entities with POST /coordination/claim and check in before the claims expire',
  },
  WB_COORDINATION_ENTITY_UNKNOWN: {
    status: 404,
    exit: 2,
    message: 'no coordination entity {entity}',
    hint: 'register it with POST /coordination/entities or list it under <platform>.channels in waddlebot.yaml',
  },
  WB_MODULE_DOWN: {
    status: 503,
    exit: 7,
    message: '{count} of {total} modules not ok: {modules}',
    hint: 'start the ones that are down (`waddlebot start`, `up` or `run <module>`); a degraded one says why (`waddlebot doctor`)',
  },
  WB_ROUTER_REFUSED: {
    status: 502,
    exit: 5,
    message: 'router at {url} refused the event: HTTP {status} {reason}',
    hint: 'check the collector key (WADDLEBOT_<PLATFORM>_ROUTER_KEY or the service key) and the router log',
  },
  WB_WEBHOOK_SIGNATURE_INVALID: {
    status: 403,
    exit: 2,
    message: '{platform} webhook refused: {reason}',
    hint: 'check that {secret} matches the secret the platform signs with, and that the clocks agree',
  },
  WB_WEBHOOK_NOT_CONFIGURED: {
    status: 503,
    exit: 2,
    message: '{platform} webhook is not configured',
    hint: 'set {secret} in the environment or .env',
  },
  WB_MODULE_UNREACHABLE: {
    status: 503,
    exit: 5,
    message: 'module {module} unreachable at {url}: {reason}',
    hint: 'start it (`waddlebot start`, or `waddlebot run {module}`), or set modules.{module}.url',
  },
  WB_MODULE_TIMEOUT: {
    status: 504,
    exit: 5,
    message: 'module {module} did not answer within {ms} ms',
    hint: 'see its log; raise the command timeoutMs if it is slow by design',
  },
  WB_MODULE_BAD_REPLY: {
    status: 502,
    exit: 5,
    message: 'module {module} sent an invalid reply: {reason}',
    hint: 'a module answers POST /api/v1/execute with the execution result of CONTRACT §4.2',
  },
  WB_MODULE_INSTALL_FAILED: {
    status: 500,
    exit: 1,
    message: 'module package {spec} was not added: {reason}',
    hint: 'check the package name or tarball path (npm prints its own output above)',
  },
  WB_MODULE_RELOAD_FAILED: {
    status: 409,
    exit: 1,
    message: 'module {module} was not reloaded: {reason}',
    hint: 'the previous version keeps running; fix the file and save it again (or `waddlebot module reload {module}`)',
  },
  WB_MODULE_NOT_READY: {
    status: 503,
    exit: 1,
    message: 'module {module} is not set up yet',
    hint: 'wait for start-up to finish',
  },
  WB_AI_PROVIDER_FAILED: {
    status: 502,
    exit: 5,
    message: 'AI provider {provider} failed: {reason}',
    hint: 'check AI_PROVIDER, OPENAI_BASE_URL / OPENAI_API_KEY or OLLAMA_URL, and AI_MODEL (docs/ai.md)',
  },
  WB_TWITCH_NOT_CONFIGURED: {
    status: 503,
    exit: 2,
    message: 'Twitch is not configured: {missing} not set',
    hint: 'set them in the environment or .env (`waddlebot auth twitch` stores the tokens)',
  },
  WB_TWITCH_API_FAILED: {
    status: 502,
    exit: 5,
    message: 'Twitch API call failed: {reason}',
    hint: 'check TWITCH_BOT_TOKEN, TWITCH_CLIENT_ID and TWITCH_API_URL (`waddlebot doctor`)',
  },
  WB_PLATFORM_DISABLED: {
    status: 503,
    exit: 2,
    message: 'the {platform} platform is switched off ({platform}.enabled: false in {file})',
    hint: 'set {platform}.enabled: true in {file}',
  },
  WB_WHISPER_UNDELIVERED: {
    status: 502,
    exit: 1,
    message: 'whisper to {user} on {platform} not delivered: {reason}',
    hint: 'see docs/collectors.md#whispers-and-dms',
  },
  WB_WHISPER_UNAVAILABLE: {
    status: 503,
    exit: 1,
    message: '{platform} cannot send whispers here: {reason}',
    hint: 'configure the {platform} collector (docs/collectors.md#whispers-and-dms)',
  },
  WB_IDENTITY_KEY_LIMIT: {
    status: 409,
    exit: 1,
    message: 'identity {identity} already has {limit} active API keys',
    hint: 'revoke one first (DELETE /api/v1/identity/keys/<id>)',
  },
  WB_MARKET_MODULE_UNKNOWN: {
    status: 404,
    exit: 2,
    message: 'no module {module} in the marketplace',
    hint: 'see `waddlebot marketplace search`',
  },
  WB_MARKET_VERSION_EXISTS: {
    status: 409,
    exit: 2,
    message: '{module} {version} is already published',
    hint: 'publish a higher version (versions are never replaced)',
  },
  WB_MARKET_VERSION_UNKNOWN: {
    status: 404,
    exit: 2,
    message: '{module} has no version {version}',
    hint: 'see `waddlebot marketplace search {module}` for its versions',
  },
  WB_MARKET_COMMAND_TAKEN: {
    status: 409,
    exit: 2,
    message: '{command} belongs to {owner}',
    hint: 'give the command another name in the manifest',
  },
  WB_MARKET_TARGET_FAILED: {
    status: 422,
    exit: 2,
    message: '{module} {version} refused: {reason}',
    hint: 'fix the target (docs/marketplace.md#the-probe) and try again',
  },
  WB_MARKET_CHECKSUM_MISMATCH: {
    status: 422,
    exit: 2,
    message: '{module} {version} refused: its target runs {reported}, the manifest declares {declared}',
    hint: 'publish the checksum of what the target runs, or deploy the artifact the manifest names',
  },
  WB_MARKET_SCOPES_UNAPPROVED: {
    status: 403,
    exit: 2,
    message: '{module} asks for {scopes}; a community admin must approve them',
    hint: 'approve them: --approve {scopes} (approve_scopes in the REST body)',
  },
  WB_MARKET_INSTALLED: {
    status: 409,
    exit: 2,
    message: '{module} is already installed in community {community}',
    hint: 'use upgrade for another version',
  },
  WB_MARKET_NOT_INSTALLED: {
    status: 404,
    exit: 2,
    message: '{module} is not installed in community {community}',
    hint: 'see `waddlebot marketplace list --installed --community {community}`',
  },
  WB_COMMUNITY_UNKNOWN: {
    status: 404,
    exit: 2,
    message: 'unknown community {community}',
    hint: 'see `waddlebot community list`',
  },
  WB_COMMUNITY_EXISTS: {
    status: 409,
    exit: 2,
    message: 'community {community} already exists',
    hint: 'pick another name, or add channels to it with `community add-entity`',
  },
  WB_HUB_LOGIN_REQUIRED: {
    status: 401,
    exit: 6,
    message: 'log in to the hub first',
    hint: 'log in with Twitch, Discord or Slack, or a one-time password (`waddlebot hub temp-password <user>`)',
    httpHint: 'log in (GET /api/v1/auth/oauth/<platform> or POST /api/v1/auth/temp-password)',
  },
  WB_HUB_FORBIDDEN: {
    status: 403,
    exit: 6,
    message: '{route} needs the {needed} role; you are {role}',
    hint: 'ask an owner or a platform admin for the role',
  },
  WB_HUB_CSRF: {
    status: 403,
    exit: 6,
    message: 'missing or wrong CSRF token',
    hint: 'send the x-csrf-token header with the value of GET /api/v1/auth/session (cookie wb_csrf)',
  },
  WB_HUB_OAUTH_UNCONFIGURED: {
    status: 404,
    exit: 2,
    message: 'logging in with {platform} is not configured',
    hint: 'set {env}_CLIENT_ID and {env}_CLIENT_SECRET in the environment (.env) and restart the hub',
  },
  WB_HUB_OAUTH_FAILED: {
    status: 400,
    exit: 6,
    message: '{platform} login failed: {reason}',
    hint: 'start the login again from the hub page',
  },
  WB_HUB_LOGIN_FAILED: {
    status: 401,
    exit: 6,
    message: 'wrong user or password, or the password was already used or has expired',
    hint: 'ask for a new one-time password (`!community portal login` in chat, or `waddlebot hub temp-password <user>`)',
  },
  WB_HUB_LINK_REQUIRED: {
    status: 403,
    exit: 6,
    message: 'link a Twitch, Discord or Slack account before using the hub',
    hint: 'a one-time password only opens the door: log in with one of your platform accounts (GET /api/v1/auth/oauth/<platform>?link=1)',
  },
  WB_HUB_USER_UNKNOWN: {
    status: 404,
    exit: 2,
    message: 'no user {user}',
    hint: 'name a chat account as platform:user_name (e.g. twitch:alice); it must have chatted with the bot or be linked',
  },
  WB_HUB_LAST_ADMIN: {
    status: 409,
    exit: 2,
    message: 'the last platform admin cannot be removed',
    hint: 'grant another platform admin first',
  },
  WB_HUB_MARKETPLACE_UNAVAILABLE: {
    status: 503,
    exit: 1,
    message: 'the marketplace module is not installed',
    hint: 'the marketplace is not part of this bot yet; community modules cannot be managed here',
  },
  WB_USAGE: { status: 400, exit: 2, message: '{command}: {reason}', hint: 'see `{help}`' },
  WB_COMMAND_UNKNOWN: {
    status: 404,
    exit: 2,
    message: 'unknown command `waddlebot {command}`',
    hint: '{suggestion}see `waddlebot --help` for the commands',
  },
  WB_FAILED: {
    status: 500,
    exit: 1,
    message: '{reason}',
    hint: 'an unexpected failure; rerun with DEBUG=* for details, or report it with the command you ran',
  },
  WB_DEPLOY_SECRET_IN_CONFIG: {
    status: 500,
    exit: 2,
    message: 'secret-looking setting {key} in {source} would be written into a ConfigMap',
    hint: 'put secrets in .env (they go into the Secret / env_file), never in waddlebot.yaml or module settings',
  },
  WB_SUPERVISOR_FAILED: {
    status: 500,
    exit: 1,
    message: 'supervisor: {reason}',
    hint: 'see the prefixed child logs above',
  },
  WB_KONG_ADMIN_FAILED: {
    status: 502,
    exit: 5,
    message: 'Kong Admin API at {url} failed {what}: {reason}',
    hint: 'check that Kong runs and KONG_ADMIN_URL points at its Admin API (docs/kong.md)',
  },
  WB_KONG_MIRROR_OFF: {
    status: 409,
    exit: 2,
    message: 'Kong mirroring is off',
    hint: 'set KONG_ADMIN_URL (or modules.kong-admin-broker.admin_url) and restart the broker (docs/kong.md)',
  },
} as const satisfies Record<string, { status: number; exit: number; message: string; hint: string; httpHint?: string }>

export type ErrorCode = keyof typeof ERRORS

/** A coded error. `params` fill the `{name}` placeholders of its message and hint. */
export class WaddleError extends Error {
  readonly code: ErrorCode
  readonly params: Record<string, string | number>
  readonly status: number
  readonly exitCode: number
  readonly hint: string

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    const def = ERRORS[code]
    super(fill(def.message, params), options)
    this.code = code
    this.params = params
    this.status = def.status
    this.exitCode = def.exit
    this.hint = fill(def.hint, params)
  }

  override get name(): string {
    return `WaddleError[${this.code}]`
  }

  toJSON(): { code: ErrorCode; message: string; hint: string } {
    return { code: this.code, message: this.message, hint: this.hint }
  }

  /** The body of an HTTP answer: like toJSON, with the hint meant for HTTP callers (never a CLI flag). */
  toHttpJSON(): { code: ErrorCode; message: string; hint: string } {
    const def: { hint: string; httpHint?: string } = ERRORS[this.code]
    return {
      code: this.code,
      message: this.message,
      hint: def.httpHint === undefined ? this.hint : fill(def.httpHint, this.params),
    }
  }
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`))
}

export function isWaddleError(e: unknown): e is WaddleError {
  return e instanceof WaddleError
}
