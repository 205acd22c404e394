/**
 * Where a target taken from the `commands` table may connect. Its URL is data, not the operator's config, so
 * it must not reach the machine's own services or the cloud's metadata endpoint: loopback (127.0.0.0/8,
 * ::1), unspecified (0.0.0.0/8, ::), link-local (169.254.0.0/16, fe80::/10, which holds the metadata address
 * 169.254.169.254) and the other known metadata addresses are refused, unless the operator lists the host, the
 * address or its range in WADDLEBOT_TARGET_ALLOW. Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) are
 * allowed: that is where a bot's own containers live.
 *
 * The check runs on the addresses a name resolves to, at connect time (the lookup of the very connection), so
 * a name that resolves elsewhere on a second lookup (DNS rebinding) is caught too.
 */
import { type LookupAddress, lookup as dnsLookup } from 'node:dns'
import { BlockList, isIP } from 'node:net'

const REFUSED: readonly [string, number, 'ipv4' | 'ipv6', string][] = [
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['100.100.100.200', 32, 'ipv4', 'cloud metadata'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fd00:ec2::254', 128, 'ipv6', 'cloud metadata'],
]

/** A refused address; the HTTP leg reports it as a final WB_TARGET_FAILED (`refused: …`). */
export class AddressRefused extends Error {}

export interface AddressGuard {
  /** Why `address` (an IP) may not be reached for `host`, or undefined when it may. */
  refusal(host: string, address: string): string | undefined
  /** A `lookup` for node:http that resolves as usual and fails with AddressRefused on a refused address. */
  readonly lookup: typeof dnsLookup
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; brackets of a URL's IPv6 host removed. */
function plain(address: string): string {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)
  return mapped ? mapped[1]! : a
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(address)
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined
}

/**
 * A guard from the allow list (WADDLEBOT_TARGET_ALLOW, comma-separated): host names (`localhost`,
 * `bot.internal`), addresses (`127.0.0.1`, `::1`) and ranges (`127.0.0.0/8`, `fd00::/8`).
 */
export function addressGuard(allowList: string | readonly string[] | undefined): AddressGuard {
  const entries = (typeof allowList === 'string' ? allowList.split(',') : (allowList ?? []))
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean)
  const allowedHosts = new Set<string>()
  const allowed = new BlockList()
  for (const entry of entries) {
    const [ip, bits] = entry.split('/')
    const address = plain(ip ?? '')
    const family = familyOf(address)
    if (!family) allowedHosts.add(entry.replace(/^\[|\]$/g, ''))
    else if (bits === undefined) allowed.addAddress(address, family)
    else allowed.addSubnet(address, Number(bits), family)
  }
  const refused = REFUSED.map(([net, prefix, family, why]) => {
    const list = new BlockList()
    list.addSubnet(net, prefix, family)
    return { list, family, why }
  })

  const refusal = (host: string, rawAddress: string): string | undefined => {
    if (allowedHosts.has(plain(host))) return undefined
    const address = plain(rawAddress)
    const family = familyOf(address)
    if (!family) return `${rawAddress} is not an IP address`
    if (allowed.check(address, family)) return undefined
    const hit = refused.find((r) => r.family === family && r.list.check(address, family))
    return hit
      ? `${address}${plain(host) === address ? '' : ` (${host})`} is a ${hit.why} address; list it in WADDLEBOT_TARGET_ALLOW to allow it`
      : undefined
  }

  const lookup = ((hostname: string, options: unknown, callback: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void
    const opts = (typeof options === 'function' ? {} : (options ?? {})) as { all?: boolean }
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err, opts.all ? [] : '')
      for (const a of addresses) {
        const why = refusal(hostname, a.address)
        if (why) return cb(new AddressRefused(why) as NodeJS.ErrnoException, opts.all ? [] : '')
      }
      if (opts.all) return cb(null, addresses)
      const first = addresses[0]
      if (!first) return cb(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '')
      cb(null, first.address, first.family)
    })
  }) as typeof dnsLookup

  return { refusal, lookup }
}
