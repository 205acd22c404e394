import type { z } from 'zod'

/** The first problem of a failed parse as `field: message` (the field path dotted, or `body`). */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]
  if (!issue) return { field: 'body', message: 'invalid' }
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body'
  let message = issue.message
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required'
  return { field, message }
}
