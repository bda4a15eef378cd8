/**
 * Outbound URL policy (SSRF). A request's `fhirServer` is called only when it is on the authenticated
 * issuer's list, over https (plain http only through a development switch: loopback hosts, or hosts named
 * in development), without credentials in the URL, and never at an IP literal in link-local / metadata /
 * unspecified / multicast ranges — those are refused even when listed. Hostnames are not resolved here:
 * the allowlist names the hosts, so a caller cannot choose one (DNS of a listed host is the operator's
 * trust boundary).
 */
import { isIP } from 'node:net';

export interface UrlPolicy {
  /** Development only: `http:` allowed when the host is loopback. */
  allowHttpLoopback: boolean;
  /** Development only: `http:` allowed for these `host` (any port) or `host:port` entries. */
  allowHttpHosts?: readonly string[];
}

/** Is the URL's host (with its port, if any) on the development list of plain-http hosts? */
function httpHostAllowed(u: URL, hosts: readonly string[] | undefined): boolean {
  if (!hosts?.length) return false;
  const host = u.hostname.toLowerCase();
  const port = u.port || '80';
  return hosts.some((entry) => {
    const [h, p] = entry.toLowerCase().split(':');
    return h === host && (p === undefined || p === port);
  });
}

function ipv4Octets(host: string): number[] | undefined {
  if (isIP(host) !== 4) return undefined;
  return host.split('.').map(Number);
}

/** Eight 16-bit groups of an IPv6 literal (brackets stripped), or undefined. */
function ipv6Groups(host: string): number[] | undefined {
  if (isIP(host) !== 6) return undefined;
  let h = host.split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    h = h.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = h.includes('::') ? h.split('::') : [h, undefined];
  const a = head ? head.split(':') : [];
  const b = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? 8 - a.length - b.length : 0;
  const groups = [...a, ...Array<string>(fill).fill('0'), ...b].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function blockedV4(o: number[]): string | undefined {
  const [a, b, c, d] = o as [number, number, number, number];
  if (a === 0) return 'unspecified address';
  if (a === 169 && b === 254) return 'link-local / cloud metadata address';
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'cloud metadata address';
  if (a === 168 && b === 63 && c === 129 && d === 16) return 'cloud platform address';
  if (a >= 224) return 'multicast / reserved address';
  return undefined;
}

function loopbackV4(o: number[]): boolean {
  return o[0] === 127;
}

/** Host part of a URL without IPv6 brackets. */
function bareHost(u: URL): string {
  return u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
}

/** The IPv4 address embedded in an IPv4-mapped, -compatible or NAT64 IPv6 address. */
function embeddedV4(g: number[]): number[] | undefined {
  const top = g.slice(0, 5).every((x) => x === 0);
  const mapped = top && (g[5] === 0xffff || g[5] === 0);
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (!mapped && !nat64) return undefined;
  if (g[5] === 0 && g[6] === 0 && (g[7] === 0 || g[7] === 1)) return undefined; // :: and ::1
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff];
}

/** Why an IP-literal host must never be called, or undefined (hostnames always pass this check). */
function blockedAddress(u: URL): string | undefined {
  const host = bareHost(u);
  const v4 = ipv4Octets(host);
  if (v4) return blockedV4(v4);
  const g = ipv6Groups(host);
  if (!g) return undefined;
  const inner = embeddedV4(g);
  if (inner) return blockedV4(inner);
  if (g.every((x) => x === 0)) return 'unspecified address';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local address';
  if ((g[0]! & 0xfe00) === 0xfc00) return 'unique-local / cloud metadata address';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast address';
  return undefined;
}

function isLoopbackHost(u: URL): boolean {
  const host = bareHost(u).toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v4 = ipv4Octets(host);
  if (v4) return loopbackV4(v4);
  const g = ipv6Groups(host);
  if (!g) return false;
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true;
  const inner = embeddedV4(g);
  return inner ? loopbackV4(inner) : false;
}

/** Transport-level refusal for any outbound URL (fhirServer, jku): scheme, credentials, address. */
export function transportRefusal(u: URL, policy: UrlPolicy): string | undefined {
  if (u.username || u.password) return 'URL must not contain credentials';
  if (u.protocol === 'http:') {
    // A host named on the development list (NODE_ENV=development only, src/config/schema.ts) may use http.
    const named = httpHostAllowed(u, policy.allowHttpHosts);
    if (!named && !policy.allowHttpLoopback) return 'only https URLs are allowed';
    if (!named && !isLoopbackHost(u)) return 'http is allowed only on loopback (development setting)';
  } else if (u.protocol !== 'https:') return 'only https URLs are allowed';
  const blocked = blockedAddress(u);
  if (blocked) return `refused: ${blocked}`;
  return undefined;
}

function trimSlash(p: string): string {
  return p.replace(/\/+$/, '');
}

/** Is `u` the allowlist entry's URL or below it (same origin; path on a segment boundary)? */
export function withinBase(u: URL, entry: URL): boolean {
  if (u.origin !== entry.origin) return false;
  const base = trimSlash(entry.pathname);
  if (base === '') return true;
  const path = trimSlash(u.pathname);
  return path === base || path.startsWith(`${base}/`);
}

/**
 * Why `raw` may not be used as this client's fhirServer, or undefined when it may. `allowed` is the
 * issuer's list; `'*'` (development only) allows any URL that passes the transport checks.
 */
export function fhirServerRefusal(raw: string, allowed: readonly string[] | '*', policy: UrlPolicy): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'fhirServer is not a valid URL';
  }
  if (u.search || u.hash) return 'fhirServer must not contain a query or fragment';
  const transport = transportRefusal(u, policy);
  if (transport) return `fhirServer ${transport}`;
  if (allowed === '*' || allowed.includes('*')) return undefined;
  for (const entry of allowed) {
    let e: URL;
    try {
      e = new URL(entry);
    } catch {
      continue;
    }
    if (withinBase(u, e)) return undefined;
  }
  return 'fhirServer is not registered for this client';
}
