import type { HostSpec } from './types.js';

/** Lower-cases a DNS name and strips a trailing dot. */
export function normalizeName(name: string): string {
  let n = name.trim().toLowerCase();
  while (n.endsWith('.')) n = n.slice(0, -1);
  return n;
}

/** Strips the port (and IPv6 brackets) from a Host header value. */
export function hostFromHeader(host: string | undefined): string {
  if (!host) return '';
  let h = host.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end === -1 ? h.slice(1) : h.slice(1, end);
  } else {
    const colon = h.lastIndexOf(':');
    // one colon = host:port; several = a bare IPv6 literal
    if (colon !== -1 && h.indexOf(':') === colon) h = h.slice(0, colon);
  }
  return normalizeName(h);
}

/**
 * Looks names up in a scenario: exact names first, then the wildcard with the
 * longest suffix ('*.wild.example.cn' matches 'a.wild.example.cn' and
 * 'a.b.wild.example.cn', not 'wild.example.cn'), as DNS wildcards do.
 */
export class HostTable {
  readonly exact = new Map<string, HostSpec>();
  /** suffix (without the '*.') -> spec, longest suffix first. */
  readonly wildcards: [string, HostSpec][] = [];
  /** Every name that is an ancestor of a scenario name (empty non-terminals answer NODATA, not NXDOMAIN). */
  private readonly ancestors = new Set<string>();

  constructor(hosts: readonly HostSpec[]) {
    for (const host of hosts) {
      const name = normalizeName(host.name);
      if (!name) throw new Error('testbed: a host has an empty name');
      if (this.exact.has(name)) throw new Error(`testbed: host ${name} appears twice in the scenario`);
      this.exact.set(name, host);
      if (name.startsWith('*.')) this.wildcards.push([name.slice(2), host]);
      const labels = name.split('.');
      for (let i = 1; i < labels.length; i++) this.ancestors.add(labels.slice(i).join('.'));
    }
    this.wildcards.sort((a, b) => b[0].length - a[0].length);
  }

  /** The spec for a (normalized) name, or undefined. */
  find(name: string): HostSpec | undefined {
    const n = normalizeName(name);
    const exact = this.exact.get(n);
    if (exact) return exact;
    for (const [suffix, spec] of this.wildcards) {
      if (n.endsWith('.' + suffix) && n.length > suffix.length + 1) return spec;
    }
    return undefined;
  }

  /** True when the name exists in the tree only as a parent of other names. */
  isEmptyNonTerminal(name: string): boolean {
    return this.ancestors.has(normalizeName(name));
  }
}
