/**
 * Connections kept alive for the run: one undici Pool per origin and the
 * address it goes to, at most two connections each, idle ones closed after a
 * few seconds, and at most {@link DEFAULT_MAX_POOLS} pools (the least recently
 * used closed first). Every new connection still goes through the connect
 * hook: --connect-to, the resolver and the address policy apply to each.
 */
import { Pool, type buildConnector } from 'undici';
import type { TlsSummary } from '@govscan/core';

export const DEFAULT_MAX_POOLS = 256;

/** What the last connection of a pool connected to (all of a pool's connections go to one address and port), and how many it made. */
export interface Connected {
  address: string | null;
  port: number | null;
  tls: TlsSummary | null;
  connects: number;
}

export type ConnectHook = (opts: { hostname: string; port: string; protocol: string; servername?: string | null }, connected: Connected) => Promise<import('node:net').Socket>;

/** undici's `connect` option, over a hook that opens the socket itself (the callback form undici wants). */
export function connectOption(connect: ConnectHook, connected: Connected): buildConnector.connector {
  return (opts, cb) => {
    connect(opts as never, connected).then(
      (socket) => cb(null, socket),
      (err: Error) => cb(err, null),
    );
  };
}

export class PoolSet {
  private readonly pools = new Map<string, { pool: Pool; connected: Connected }>();

  constructor(private readonly maxPools = DEFAULT_MAX_POOLS) {}

  get(origin: string, key: string, connect: ConnectHook): { pool: Pool; connected: Connected } {
    const known = this.pools.get(key);
    if (known) {
      this.pools.delete(key);
      this.pools.set(key, known);
      return known;
    }
    const connected: Connected = { address: null, port: null, tls: null, connects: 0 };
    const pool = new Pool(origin, {
      connections: 2,
      pipelining: 1,
      keepAliveTimeout: 4000,
      keepAliveMaxTimeout: 10_000,
      // each request's own deadline governs, in network time
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: connectOption(connect, connected),
    });
    const entry = { pool, connected };
    this.pools.set(key, entry);
    for (const [k, e] of this.pools) {
      if (this.pools.size <= this.maxPools) break;
      this.pools.delete(k);
      void e.pool.close().catch(() => undefined);
    }
    return entry;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
  }
}
