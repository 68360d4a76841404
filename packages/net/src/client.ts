import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import pLimit from 'p-limit';
import type { ConnectOptions, DnsRecordType, DnsResult, FetchOptions, FetchResult, NetClient, NetError, RawConnection, ResolveOptions } from '@govscan/core';
import { GovscanError } from '@govscan/core';
import { parseConnectTo, type ConnectToRule } from './connect-to.js';
import { StubResolver, SystemResolver, type Resolver } from './dns.js';
import { fetchUrl, openSocket, resolveTarget, toNetError } from './http.js';
import { HopMemo } from './memo.js';
import { PoolSet } from './pools.js';
import { networkDeadline } from './clock.js';

export interface NetClientOptions {
  /** `HOST:PORT` of the DNS server every query goes to; absent: the system's resolvers. */
  resolver?: string;
  /** curl-style `HOST1:PORT1:HOST2:PORT2` entries. */
  connectTo?: string[];
  /** Extra trusted CA certificates (PEM file path). */
  caFile?: string;
  allowPrivateTargets?: boolean;
  /** Host names of the registry: exempt from the address policy. */
  registeredHosts?: Iterable<string>;
  /** Network operations in flight at once. */
  concurrency?: number;
  timeoutMs?: number;
  userAgent?: string;
  /** false: no fetch memo, no shared lookups, no kept-alive connections — every request sent, resolved and connected by itself (for comparison). */
  memo?: boolean;
}

/**
 * Network operations in flight for each site (or lookalike) worked on at once:
 * a site's scanners each keep a few in flight (the census two per host, the TLS
 * enumeration eight, headers three). The one figure that turns "sites at once"
 * into the net client's slots.
 */
export const OPERATIONS_PER_SITE = 16;

/** Split a PEM bundle into its certificates. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Node's default roots + NODE_EXTRA_CA_CERTS + --ca-file. Passing `ca` replaces node's store, so all three are put together here. */
export function trustStore(caFile?: string): string[] {
  const ca = [...tls.rootCertificates];
  for (const [label, file] of [['NODE_EXTRA_CA_CERTS', process.env.NODE_EXTRA_CA_CERTS], ['--ca-file', caFile]] as const) {
    if (!file) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new GovscanError('E_CA_FILE', `${label}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, { exitCode: 2 });
    }
    const certs = splitPem(text);
    if (certs.length === 0) throw new GovscanError('E_CA_FILE', `${label}: ${file} holds no PEM certificate`, { exitCode: 2 });
    ca.push(...certs);
  }
  return ca;
}

/**
 * The network as scanners see it: DNS through one resolver, HTTP(S) through
 * undici with `--connect-to`, the trust store and the address policy applied,
 * every operation bounded by a timeout and holding a concurrency slot.
 */
export function createNetClient(options: NetClientOptions = {}): NetClient & { resolverLabel: string } {
  let connectTo: ConnectToRule[];
  try {
    connectTo = (options.connectTo ?? []).map(parseConnectTo);
  } catch (err) {
    throw new GovscanError('E_USAGE', (err as Error).message, { exitCode: 2 });
  }
  let resolver: Resolver;
  try {
    resolver = options.resolver ? new StubResolver(options.resolver) : new SystemResolver();
  } catch (err) {
    throw new GovscanError('E_USAGE', `--resolver: ${(err as Error).message}`, { exitCode: 2 });
  }
  const ca = trustStore(options.caFile);
  const registered = new Set([...(options.registeredHosts ?? [])].map((h) => h.toLowerCase()));
  const limit = pLimit(Math.max(1, options.concurrency ?? 64));
  const defaultTimeout = options.timeoutMs ?? 15_000;
  const isRegisteredHost = (host: string): boolean => registered.has(host.toLowerCase().replace(/\.$/, ''));

  const lookup = async (host: string, signal: AbortSignal, timeoutMs: number, family?: 4 | 6): Promise<{ address: string } | NetError> => {
    const dnsTimeout = Math.min(timeoutMs, 5000);
    const types = family === 4 ? (['A'] as const) : family === 6 ? (['AAAA'] as const) : (['A', 'AAAA'] as const);
    for (const type of types) {
      const r = await resolver.resolve(host, type, { signal, timeoutMs: dnsTimeout });
      const addr = r.answers.find((a) => a.type === type && net.isIP(a.data));
      if (r.status === 'ok' && addr) return { address: addr.data };
      if (r.status === 'nxdomain') return { code: 'ENOTFOUND', message: `${host} does not exist (NXDOMAIN from ${r.resolver})`, status: 'error' };
      if (r.status !== 'nodata' && r.status !== 'ok') {
        return { code: 'EDNSUNKNOWN', message: `could not resolve ${host}: ${r.status}${r.error ? ` (${r.error.message})` : ''} from ${r.resolver}`, status: 'unknown' };
      }
    }
    return { code: 'ENOADDRESS', message: `${host} has no ${types.join(' or ')} record`, status: 'error' };
  };

  const shared = options.memo !== false;
  // One lookup per host and family per run, shared by every request (in flight too); not kept
  // when the caller gave up. A `fresh` lookup (an availability probe) asks again.
  const lookups = new Map<string, Promise<{ address: string } | NetError>>();
  const resolveAddress = (host: string, signal: AbortSignal, timeoutMs: number, family?: 4 | 6, fresh = false): Promise<{ address: string } | NetError> => {
    if (fresh || !shared) return lookup(host, signal, timeoutMs, family);
    const key = `${host.toLowerCase()}|${family ?? ''}`;
    const known = lookups.get(key);
    if (known) return known;
    const p = lookup(host, signal, timeoutMs, family);
    lookups.set(key, p);
    void p.then((r) => {
      if (signal.aborted && !('address' in r)) lookups.delete(key);
    });
    return p;
  };
  const pools = shared ? new PoolSet() : undefined;
  const deps = { ...(shared ? { memo: new HopMemo() } : {}), ...(pools ? { pools } : {}), resolveAddress, connectTo, secureContext: tls.createSecureContext({ ca }), allowPrivateTargets: options.allowPrivateTargets ?? false, isRegisteredHost, userAgent: options.userAgent ?? 'govscan (government website census)' };

  return {
    resolverLabel: resolver.label,
    isRegisteredHost,
    addressOf: async (host: string, o: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string | null> => {
      const bare = host.replace(/^\[(.*)\]$/, '$1');
      if (net.isIP(bare)) return bare;
      const r = await resolveAddress(bare, o.signal ?? new AbortController().signal, o.timeoutMs ?? defaultTimeout);
      return 'address' in r ? r.address : null;
    },
    resolve: (name: string, type: DnsRecordType, o: ResolveOptions = {}): Promise<DnsResult> =>
      limit(() => resolver.resolve(name, type, { timeoutMs: Math.min(o.timeoutMs ?? defaultTimeout, 5000), ...(o.signal ? { signal: o.signal } : {}) })),
    fetch: (url: string, o: FetchOptions = {}): Promise<FetchResult> => limit(() => fetchUrl(deps, url, { timeoutMs: defaultTimeout, ...o })),
    connect: (host: string, port: number, o: ConnectOptions = {}): Promise<RawConnection | NetError> =>
      limit(async () => {
        const timeoutMs = o.timeoutMs ?? defaultTimeout;
        const timer = networkDeadline(timeoutMs);
        const deadline = timer.signal;
        const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
        try {
          const target = await resolveTarget(deps, host, port, signal, timeoutMs, { ...(o.family ? { family: o.family } : {}), ...(o.address ? { address: o.address } : {}) });
          const socket = await openSocket(target, signal, null);
          return { socket, address: target.address, port: target.port };
        } catch (err) {
          return toNetError(err, deadline, timeoutMs);
        } finally {
          timer.clear();
        }
      }),
    close: async () => {
      await pools?.close();
      await resolver.close();
    },
  };
}
