/**
 * A small client of Kong's Admin API (Kong 3.x): consumers, key-auth credentials and ACL groups. Every write
 * is idempotent (PUT upserts by name or id; DELETE answers 204 whether the entity existed or not), so a
 * reconcile pass can be repeated at will. Failures are WB_KONG_ADMIN_FAILED naming the request.
 */
import { WaddleError } from '../../runtime/errors.js'

export interface Consumer {
  id: string
  username: string | null
  custom_id: string | null
  tags: string[] | null
}
export interface KeyAuth {
  id: string
  key: string
  consumer: { id: string }
  tags: string[] | null
}
export interface Acl {
  id: string
  group: string
  consumer: { id: string }
}

interface Page<T> {
  data: T[]
  next: string | null
}

export class KongAdmin {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, okMissing = false): Promise<T | undefined> {
    const what = `${method} ${path}`
    let res: Response
    try {
      res = await fetch(new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new WaddleError('WB_KONG_ADMIN_FAILED', { url: this.baseUrl, what, reason: `unreachable (${reason})` })
    }
    if (res.status === 404 && okMissing) return undefined
    const text = await res.text()
    if (!res.ok) {
      let reason = text.slice(0, 200)
      try {
        reason = String((JSON.parse(text) as { message?: unknown }).message ?? reason)
      } catch {}
      throw new WaddleError('WB_KONG_ADMIN_FAILED', { url: this.baseUrl, what, reason: `${res.status} ${reason}` })
    }
    return text ? (JSON.parse(text) as T) : undefined
  }

  private async all<T>(path: string): Promise<T[]> {
    const out: T[] = []
    let next: string | null = path
    while (next) {
      const page: Page<T> | undefined = await this.call<Page<T>>('GET', next.replace(/^\//, ''))
      out.push(...(page?.data ?? []))
      next = page?.next ?? null
    }
    return out
  }

  /** Node information (`GET /`): proves the Admin API answers. */
  async node(): Promise<{ version: string }> {
    return (await this.call<{ version: string }>('GET', ''))!
  }

  /** Creates or updates the consumer named `username`. */
  async putConsumer(username: string, customId: string, tags: string[]): Promise<Consumer> {
    return (await this.call<Consumer>('PUT', `consumers/${encodeURIComponent(username)}`, {
      custom_id: customId,
      tags,
    }))!
  }

  async deleteConsumer(idOrName: string): Promise<void> {
    await this.call('DELETE', `consumers/${encodeURIComponent(idOrName)}`)
  }

  consumers(tag: string): Promise<Consumer[]> {
    return this.all<Consumer>(`consumers?tags=${encodeURIComponent(tag)}&size=1000`)
  }

  /** Creates or replaces the credential `id` of a consumer with `key`. */
  async putKeyAuth(consumer: string, id: string, key: string, tags: string[]): Promise<KeyAuth> {
    return (await this.call<KeyAuth>('PUT', `consumers/${encodeURIComponent(consumer)}/key-auth/${id}`, {
      key,
      tags,
    }))!
  }

  /** Moves a credential to another consumer (its key stays as it is). */
  async moveKeyAuth(id: string, consumerId: string): Promise<void> {
    await this.call('PATCH', `key-auths/${id}`, { consumer: { id: consumerId } })
  }

  async deleteKeyAuth(id: string): Promise<void> {
    await this.call('DELETE', `key-auths/${id}`)
  }

  keyAuths(tag: string): Promise<KeyAuth[]> {
    return this.all<KeyAuth>(`key-auths?tags=${encodeURIComponent(tag)}&size=1000`)
  }

  async groups(consumer: string): Promise<string[]> {
    const acls = await this.all<Acl>(`consumers/${encodeURIComponent(consumer)}/acls?size=1000`)
    return acls.map((a) => a.group)
  }

  /** Puts the consumer in exactly `groups` (adds the missing ones, removes the others). */
  async setGroups(consumer: string, groups: readonly string[], tags: string[]): Promise<void> {
    const have = await this.groups(consumer)
    const c = encodeURIComponent(consumer)
    for (const group of groups)
      if (!have.includes(group)) await this.call('POST', `consumers/${c}/acls`, { group, tags })
    for (const group of have)
      if (!groups.includes(group)) await this.call('DELETE', `consumers/${c}/acls/${encodeURIComponent(group)}`)
  }
}
