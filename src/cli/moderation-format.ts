/** Shared text output of the `waddlebot moderation` commands. */
import type { NotifyResult, StringRule } from '../modules/router/public.js'

/** `contains "spam" (case-sensitive) → timeout 60 s` */
export function describeRule(
  r: Pick<StringRule, 'pattern' | 'match_type' | 'case_sensitive' | 'action' | 'action_value' | 'timeout_seconds'>,
): string {
  const cs = r.case_sensitive ? ' (case-sensitive)' : ''
  const value =
    r.action === 'timeout'
      ? ` ${r.timeout_seconds ?? 600} s`
      : r.action_value
        ? ` ${JSON.stringify(r.action_value)}`
        : ''
  return `${r.match_type} ${JSON.stringify(r.pattern)}${cs} → ${r.action}${value}`
}

/** Tells the user how running routers learn about the change. */
export function reportNotify(
  cmd: { log(message: string): void; warn(message: string): unknown },
  result: NotifyResult,
): void {
  if (result.via === 'failed')
    cmd.warn(
      `rule saved, but running routers could not be told over Redis (${result.reason}); they pick it up within 15 s`,
    )
  else if (result.via === 'poll') cmd.log('Running routers pick the change up within 15 s.')
}
