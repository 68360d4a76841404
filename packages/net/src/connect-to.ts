import net from 'node:net';

/** One `--connect-to HOST1:PORT1:HOST2:PORT2` entry, with curl's meaning. */
export interface ConnectToRule {
  /** Empty: any host. */
  host: string;
  /** 0: any port. */
  port: number;
  /** Empty: keep the original host (and its resolution). */
  toHost: string;
  /** 0: keep the original port. */
  toPort: number;
}

const part = String.raw`(\[[^\]]*\]|[^:\[\]]*)`;
const pattern = new RegExp(`^${part}:(\\d*):${part}:(\\d*)$`);

export function parseConnectTo(spec: string): ConnectToRule {
  const m = pattern.exec(spec);
  if (!m) throw new TypeError(`--connect-to wants HOST1:PORT1:HOST2:PORT2 (parts may be empty), got ${JSON.stringify(spec)}`);
  const strip = (h: string): string => h.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = (p: string): number => {
    if (p === '') return 0;
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new TypeError(`--connect-to: bad port ${JSON.stringify(p)} in ${JSON.stringify(spec)}`);
    return n;
  };
  const toHost = strip(m[3]!);
  if (m[3]!.startsWith('[') && !net.isIPv6(toHost)) throw new TypeError(`--connect-to: bad IPv6 address in ${JSON.stringify(spec)}`);
  return { host: strip(m[1]!), port: port(m[2]!), toHost, toPort: port(m[4]!) };
}

/** The first rule that matches wins, as in curl. */
export function applyConnectTo(rules: readonly ConnectToRule[], host: string, port: number): { host: string; port: number; mapped: boolean } {
  const h = host.toLowerCase();
  for (const r of rules) {
    if ((r.host === '' || r.host === h) && (r.port === 0 || r.port === port)) {
      return { host: r.toHost || host, port: r.toPort || port, mapped: true };
    }
  }
  return { host, port, mapped: false };
}
