/**
 * Resolution: three states per name (`exists`, `nxdomain`, `unknown`), the
 * records that matter for a lookalike (A, AAAA, CNAME, NS, MX), a second pass
 * over the unknowns after a pause, and wildcard detection with one
 * random-label probe per parent zone.
 */
import { randomBytes } from 'node:crypto';
import type { DnsRecordType, DnsResult, DnsStatus, ResolveOptions } from '@govscan/core';

/** Anything that resolves: a NetClient, a StubResolver, a MuxResolver. */
export interface DnsPort {
  resolve(name: string, type: DnsRecordType, options?: ResolveOptions): Promise<DnsResult>;
}

export type DnsState = 'exists' | 'nxdomain' | 'unknown';

export interface Resolution {
  state: DnsState;
  /** Status of the A query that decided the state (`ok`/`nodata`: exists). */
  status: DnsStatus;
  a: string[];
  aaaa: string[];
  /** CNAME targets met on the way. */
  cname: string[];
  ns: string[];
  mx: string[];
  /** Why the state is unknown: the last query's error. */
  error: { code: string; message: string } | null;
  resolver: string;
  /** Queries sent for this name (retry passes included, the resolver's own retries not). */
  queries: number;
  /** The parent zone whose wildcard alone makes this name exist, else null. */
  wildcard: string | null;
}

export interface WildcardZone {
  /** The parent zone: every name below it resolves. */
  zone: string;
  /** The random name that resolved. */
  probe: string;
  a: string[];
  aaaa: string[];
  cname: string[];
}

export interface ResolveStats {
  names: number;
  exists: number;
  nxdomain: number;
  unknown: number;
  /** Names that exist, found only when asked again. */
  recovered: number;
  wildcardNames: number;
  wildcardZones: number;
  probes: number;
  queries: number;
  elapsedMs: number;
}

export interface ResolveManyOptions {
  /** Names resolved at once (default 256). */
  concurrency?: number;
  /** Timeout of one query, the resolver's retries included (default 5000). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Times a name still unknown is asked again, each after a pause (default 1). */
  retryPasses?: number;
  /** Pause before asking again (default 200 ms, doubling). */
  retryPauseMs?: number;
  /** Ask NS and MX of the names that exist (default true). */
  details?: boolean;
  onProgress?: (done: number, total: number) => void;
}

const ANSWERED = new Set<DnsStatus>(['ok', 'nodata', 'nxdomain']);

function stateOf(r: DnsResult): DnsState {
  if (r.status === 'nxdomain') return 'nxdomain';
  return ANSWERED.has(r.status) ? 'exists' : 'unknown';
}

const records = (r: DnsResult | undefined, type: DnsRecordType): string[] => [...new Set((r?.answers ?? []).filter((x) => x.type === type).map((x) => x.data.replace(/\.$/, '').toLowerCase()))].sort();

async function pool<T>(items: readonly T[], concurrency: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** A label no one registers: for wildcard probes. */
export function randomLabel(): string {
  return `gs-${randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
}

/** The zone above a name (`a.b.c` → `b.c`), or null for a one-label name. */
export function parentZone(name: string): string | null {
  const i = name.indexOf('.');
  return i === -1 ? null : name.slice(i + 1);
}

/**
 * Resolve every name: A first (its rcode settles the state), then for names
 * that exist AAAA, NS and MX. A name left unknown (silence, SERVFAIL) is asked
 * again after a pause (its worker waits; the others go on); one still unknown
 * is reported as unknown, never as nxdomain. As soon as a name exists, its
 * parent zone gets one random-label probe: a name whose answer equals its
 * zone's wildcard answer exists only through the wildcard.
 */
export async function resolveNames(names: readonly string[], dns: DnsPort, o: ResolveManyOptions = {}): Promise<{ results: Map<string, Resolution>; wildcards: WildcardZone[]; stats: ResolveStats }> {
  const t0 = performance.now();
  const concurrency = o.concurrency ?? 256;
  const timeoutMs = o.timeoutMs ?? 5000;
  const passes = o.retryPasses ?? 1;
  const ask = (name: string, type: DnsRecordType): Promise<DnsResult> => dns.resolve(name, type, { timeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
  const results = new Map<string, Resolution>();
  const stats: ResolveStats = { names: names.length, exists: 0, nxdomain: 0, unknown: 0, recovered: 0, wildcardNames: 0, wildcardZones: 0, probes: 0, queries: 0, elapsedMs: 0 };
  let done = 0;

  // Wildcard probes, one per parent zone, started when the zone's first name turns out to exist.
  const probes = new Map<string, Promise<WildcardZone | null>>();
  const probe = async (zone: string): Promise<WildcardZone | null> => {
    const name = `${randomLabel()}.${zone}`;
    let a = await ask(name, 'A');
    stats.probes++;
    stats.queries++;
    if (!ANSWERED.has(a.status)) {
      a = await ask(name, 'A'); // once more: a wildcard missed would report every name below it one by one
      stats.probes++;
      stats.queries++;
    }
    if (stateOf(a) !== 'exists') return null;
    const aaaa = await ask(name, 'AAAA');
    stats.queries++;
    return { zone, probe: name, a: records(a, 'A'), aaaa: records(aaaa, 'AAAA'), cname: records(a, 'CNAME') };
  };

  const resolveOne = async (name: string): Promise<void> => {
    let a = await ask(name, 'A');
    let queries = 1;
    for (let pass = 0; pass < passes && stateOf(a) === 'unknown' && !o.signal?.aborted; pass++) {
      await sleep((o.retryPauseMs ?? 200) * 2 ** pass, o.signal);
      if (o.signal?.aborted) break;
      a = await ask(name, 'A');
      queries++;
      if (stateOf(a) === 'exists') stats.recovered++;
    }
    stats.queries += queries;
    const state = stateOf(a);
    const r: Resolution = {
      state,
      status: a.status,
      a: records(a, 'A'),
      aaaa: [],
      cname: records(a, 'CNAME'),
      ns: [],
      mx: [],
      error: state === 'unknown' ? (a.error ?? { code: a.status.toUpperCase(), message: `${a.status} from ${a.resolver}` }) : null,
      resolver: a.resolver,
      queries,
      wildcard: null,
    };
    if (state === 'exists') {
      const parent = parentZone(name);
      if (parent && !probes.has(parent)) probes.set(parent, probe(parent));
      const types: DnsRecordType[] = o.details === false ? ['AAAA'] : ['AAAA', 'NS', 'MX'];
      const more = await Promise.all(types.map((t) => ask(name, t)));
      stats.queries += more.length;
      r.queries += more.length;
      r.aaaa = records(more[0], 'AAAA');
      if (more[1]) r.ns = records(more[1], 'NS');
      if (more[2]) r.mx = records(more[2], 'MX').map((x) => x.replace(/^\d+ /, '')).sort();
    }
    results.set(name, r);
  };

  const unique = [...new Set(names)];
  await pool(unique, concurrency, o.signal, async (name) => {
    await resolveOne(name);
    o.onProgress?.(++done, unique.length);
  });
  // Names never asked (interrupted) are unknown.
  for (const name of unique) {
    if (!results.has(name)) results.set(name, { state: 'unknown', status: 'timeout', a: [], aaaa: [], cname: [], ns: [], mx: [], error: { code: 'E_ABORTED', message: 'run interrupted before this name was resolved' }, resolver: '', queries: 0, wildcard: null });
  }

  // Names whose answer is their parent zone's wildcard answer.
  const found = (await Promise.all(probes.values())).filter((w): w is WildcardZone => w !== null);
  const wildcards: WildcardZone[] = [];
  for (const w of found) {
    let covered = 0;
    for (const [name, r] of results) {
      if (r.state !== 'exists' || parentZone(name) !== w.zone) continue;
      if (same(r.a, w.a) && same(r.aaaa, w.aaaa) && same(r.cname, w.cname)) {
        r.wildcard = w.zone;
        covered++;
      }
    }
    if (covered > 0) wildcards.push(w);
  }
  // A wildcard below a wildcard (*.yaan.gov.cn.top under *.gov.cn.top, answering the same) is the same wildcard: keep the top one.
  wildcards.sort((x, y) => x.zone.length - y.zone.length || (x.zone < y.zone ? -1 : 1));
  const kept: WildcardZone[] = [];
  for (const w of wildcards) {
    const top = kept.find((k) => w.zone.endsWith(`.${k.zone}`) && same(k.a, w.a) && same(k.aaaa, w.aaaa) && same(k.cname, w.cname));
    if (!top) {
      kept.push(w);
      continue;
    }
    for (const r of results.values()) if (r.wildcard === w.zone) r.wildcard = top.zone;
  }
  kept.sort((x, y) => (x.zone < y.zone ? -1 : 1));

  for (const r of results.values()) {
    stats[r.state]++;
    if (r.wildcard) stats.wildcardNames++;
  }
  stats.wildcardZones = kept.length;
  stats.elapsedMs = Math.round(performance.now() - t0);
  return { results, wildcards: kept, stats };
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
