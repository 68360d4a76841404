import net from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'unspecified' | 'reserved';

const ranges: [AddressClass, string, number, 'ipv4' | 'ipv6'][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['private', 'fc00::', 7, 'ipv6'], // unique local
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
];

const lists = new Map<AddressClass, net.BlockList>();
for (const [cls, addr, prefix, family] of ranges) {
  const list = lists.get(cls) ?? new net.BlockList();
  list.addSubnet(addr, prefix, family);
  lists.set(cls, list);
}

/** What kind of address this is. IPv4-mapped IPv6 addresses are judged as their IPv4 address. */
export function classifyAddress(address: string): AddressClass {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const addr = mapped ? mapped[1]! : address;
  const family = net.isIPv4(addr) ? 'ipv4' : net.isIPv6(addr) ? 'ipv6' : null;
  if (!family) throw new TypeError(`not an IP address: ${address}`);
  for (const [cls, list] of lists) if (list.check(addr, family)) return cls;
  return 'public';
}

/**
 * The address policy. Registered sites may be anywhere (intranet sites are
 * normal). Anything else (lookalikes, reported URLs, redirect targets on
 * other hosts) must not lead govscan into the office's own network unless the
 * operator allows it with `--allow-private-targets`.
 */
export function policyAllows(address: string, registered: boolean, allowPrivateTargets: boolean): { allowed: boolean; class: AddressClass } {
  const cls = classifyAddress(address);
  return { allowed: registered || allowPrivateTargets || cls === 'public', class: cls };
}
