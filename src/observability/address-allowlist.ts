/**
 * Client address allowlist (addresses and CIDR subnets, IPv4 and IPv6) on node:net's BlockList. An IPv4
 * client seen on a dual-stack socket as `::ffff:a.b.c.d` is matched as the IPv4 address.
 */
import { BlockList, isIP } from 'node:net';

export const LOOPBACK_ONLY = ['127.0.0.0/8', '::1'] as const;
export const ANY_ADDRESS = ['0.0.0.0/0', '::/0'] as const;

export function addressAllowlist(entries: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return (address) => {
    if (!address) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const a = mapped ?? address;
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}
