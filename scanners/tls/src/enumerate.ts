/**
 * Protocol, cipher suite and group enumeration with hand-built ClientHellos.
 *
 * Per protocol: one hello offering every suite of that protocol tells whether
 * the protocol is accepted; then, per group of suites (run concurrently), the
 * suite the server chose is removed and the hello sent again until the server
 * refuses — so a server accepting N suites costs about N + a few handshakes,
 * not one per suite. Server preference: the accepted suites offered in two
 * opposite orders. Groups: one group at a time.
 *
 * A refusal is a ServerHello for another version, an alert, or (once the
 * server has shown that it speaks TLS) a clean close. A stall, garbage, a
 * truncated record, a reset or a size overflow is an error: the protocol is
 * then *unknown*, never "not supported".
 */
import type { NetClient } from '@govscan/core';
import { LEGACY_SUITES, TLCP, TLS13_SUITES, type CipherSuite } from './suites.js';
import { ALERTS, buildClientHello, exchange, GROUPS, VERSION_CODE, type FirstFlight, type HelloOptions, type Protocol, type ServerHello } from './wire.js';

export interface ProbeTarget {
  net: NetClient;
  host: string;
  port: number;
  address: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Probes in flight at once for this address. */
  concurrency: number;
}

export type Outcome = FirstFlight | { kind: 'connect-error'; code: string; message: string; status: 'error' | 'unknown' };

export interface ProtocolResult {
  protocol: Protocol;
  /** accepted | refused | unknown (the probe failed: see error). */
  status: 'accepted' | 'refused' | 'unknown';
  /** Accepted suite codes, in the order found. */
  suites: number[];
  /** The suite chosen when every suite was offered (our order: strongest first). */
  preferred: number | null;
  /** true: the server picks by its own order; false: by the client's; null: could not tell (fewer than two suites, or inconsistent). */
  serverPreference: boolean | null;
  /** false when some enumeration step failed: the suite list may be short. */
  complete: boolean;
  /** How the refusal looked: an alert name, `version 0x0301`, `closed`. */
  refusal: string | null;
  error: { code: string; message: string; status: 'error' | 'unknown' } | null;
}

export interface Enumeration {
  /** Whether anything answered in TLS. `refused`: the TCP connection was refused. */
  reachable: 'tls' | 'refused' | 'unknown';
  protocols: Record<Protocol, ProtocolResult>;
  /** Named groups: name → accepted (null: unknown). Probed with TLS 1.3 when accepted, else with ECDHE suites of TLS 1.2. */
  groups: Record<string, boolean | null>;
  groupsVia: Protocol | null;
  /** The first flight of the TLS ≤ 1.2 hello that read the certificates (chain as sent, OCSP staple). */
  certificateFlight: ServerHello | null;
  handshakes: number;
  /** The first error that stopped everything (stall on the first probe, refused connection). */
  fatal: { code: string; message: string; status: 'error' | 'unknown' } | null;
}

const MAX_FIRST_FLIGHT = 256 * 1024;

/** A tiny concurrency limiter (probes of one address). */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = (): void => {
    if (active >= n) return;
    const run = queue.shift();
    if (run) {
      active++;
      run();
    }
  };
  return <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/** Our offer order: forward secrecy and AEAD first, then by strength; weak last (a browser-like client). */
function rank(s: CipherSuite): number {
  let r = 0;
  if (s.flags.fs) r += 8;
  if (s.flags.aead) r += 4;
  if (s.kx === 'ECDHE') r += 2;
  if (s.flags.psk || s.flags.anon || s.flags.null || s.flags.export) r -= 16;
  if (s.flags.rc4 || s.flags.des) r -= 8;
  if (s.flags.tripleDes) r -= 4;
  return r * 1000 + s.strength;
}
function offerOrder(suites: readonly CipherSuite[]): number[] {
  return [...suites].sort((a, b) => rank(b) - rank(a) || a.code - b.code).map((s) => s.code);
}

export function candidateSuites(p: Protocol): number[] {
  if (p === 'TLSv1.3') return offerOrder(TLS13_SUITES);
  if (p === 'TLCP') return offerOrder(TLCP);
  return offerOrder(LEGACY_SUITES.filter((s) => p === 'TLSv1.2' || !s.tls12Only));
}

/** Partition for concurrent enumeration: suites a server picks from independently. */
function partitions(p: Protocol, codes: number[]): number[][] {
  if (p === 'TLSv1.3' || p === 'TLCP') return [codes];
  const by = (pred: (s: CipherSuite) => boolean): number[] => codes.filter((c) => pred(LEGACY_SUITES.find((s) => s.code === c)!));
  const groups = [
    by((s) => s.kx === 'ECDHE' && !s.flags.psk),
    by((s) => s.kx === 'DHE' && !s.flags.psk),
    by((s) => s.kx === 'RSA' && !s.flags.export && !s.flags.psk),
    by((s) => !(s.kx === 'ECDHE' || s.kx === 'DHE' || s.kx === 'RSA') || s.flags.psk || s.flags.export),
  ];
  return groups.filter((g) => g.length > 0);
}

function failure(o: Outcome): { code: string; message: string; status: 'error' | 'unknown' } | null {
  if (o.kind === 'connect-error') return { code: o.code, message: o.message, status: o.status };
  if (o.kind === 'error') {
    const unknown = o.code === 'EGARBAGE' || o.code === 'EUNEXPECTED' || o.code === 'EABORTED';
    return { code: o.code, message: o.message, status: unknown ? 'unknown' : 'error' };
  }
  return null;
}

export async function enumerate(t: ProbeTarget): Promise<Enumeration> {
  const limit = limiter(Math.max(1, t.concurrency));
  let handshakes = 0;
  let spokeTls = false;

  const probe = (o: HelloOptions, readCertificates = false): Promise<Outcome> =>
    limit(async () => {
      if (t.signal.aborted) return { kind: 'error', code: 'EABORTED', message: 'aborted (address deadline or interrupted run)', bytes: 0 } as const;
      handshakes++;
      const conn = await t.net.connect(t.host, t.port, { address: t.address, timeoutMs: t.timeoutMs, signal: t.signal });
      if (!('socket' in conn)) return { kind: 'connect-error', code: conn.code, message: conn.message, status: conn.status } as const;
      const r = await exchange(conn.socket, buildClientHello({ serverName: t.host, ...o }), { timeoutMs: t.timeoutMs, maxBytes: readCertificates ? MAX_FIRST_FLIGHT : 64 * 1024, readCertificates, signal: t.signal });
      if (r.kind === 'server-hello' || r.kind === 'alert') spokeTls = true;
      return r;
    });

  /** Did the server accept protocol `p` in this answer, and with which suite? */
  const accepted = (p: Protocol, r: Outcome): number | null => (r.kind === 'server-hello' && r.version === VERSION_CODE[p] ? r.suite : null);

  const results = {} as Record<Protocol, ProtocolResult>;
  const blank = (p: Protocol): ProtocolResult => ({ protocol: p, status: 'unknown', suites: [], preferred: null, serverPreference: null, complete: false, refusal: null, error: null });
  let certificateFlight: ServerHello | null = null;
  let closedRefusals: Protocol[] = [];

  const runProtocol = async (p: Protocol, first?: Outcome): Promise<void> => {
    const res = blank(p);
    results[p] = res;
    const all = candidateSuites(p);
    const r0 = first ?? (await probe({ protocol: p, suites: all }));
    const chosen = accepted(p, r0);
    if (chosen === null) {
      const f = failure(r0);
      if (f) {
        res.error = f;
        return;
      }
      res.status = 'refused';
      res.complete = true;
      if (r0.kind === 'alert') res.refusal = `alert ${ALERTS[r0.description] ?? r0.description}`;
      else if (r0.kind === 'server-hello') res.refusal = `version 0x${r0.version.toString(16).padStart(4, '0')}`;
      else {
        res.refusal = 'closed';
        closedRefusals.push(p);
      }
      return;
    }
    res.status = 'accepted';
    res.preferred = chosen;
    const found = new Set<number>([chosen]);
    let complete = true;
    await Promise.all(
      partitions(p, all.filter((c) => c !== chosen)).map(async (part) => {
        let left = part;
        while (left.length > 0) {
          const r = await probe({ protocol: p, suites: left });
          const c = accepted(p, r);
          if (c === null || !left.includes(c)) {
            if (failure(r)) complete = false;
            return;
          }
          found.add(c);
          left = left.filter((x) => x !== c);
        }
      }),
    );
    res.suites = all.filter((c) => found.has(c));
    res.complete = complete;
    if (res.suites.length >= 2) {
      // The first answer came from every suite in our order, so it is also the answer to the
      // accepted suites in our order; one more hello with them reversed tells whose order wins.
      const forward = res.suites;
      const backward = [...forward].reverse();
      const cb = accepted(p, await probe({ protocol: p, suites: backward }));
      if (cb !== null) {
        if (cb === chosen) res.serverPreference = true;
        else if (chosen === forward[0] && cb === backward[0]) res.serverPreference = false;
      }
    }
  };

  // 1. The gate: a TLS 1.2 hello with every suite, reading on to the certificates.
  const gate = await probe({ protocol: 'TLSv1.2', suites: candidateSuites('TLSv1.2'), statusRequest: true }, true);
  const gateFailure = failure(gate);
  const fatal = gateFailure && (gateFailure.code === 'ETIMEDOUT' || gate.kind === 'connect-error') ? gateFailure : null;
  if (fatal) {
    const protocols = {} as Record<Protocol, ProtocolResult>;
    for (const p of ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'TLCP'] as const) {
      protocols[p] = { ...blank(p), error: p === 'TLSv1.2' ? fatal : { code: 'ESKIPPED', message: `not tried: ${fatal.code} on the first probe`, status: 'unknown' } };
    }
    return { reachable: fatal.code === 'ECONNREFUSED' ? 'refused' : 'unknown', protocols, groups: {}, groupsVia: null, certificateFlight: null, handshakes, fatal };
  }
  if (gate.kind === 'server-hello') certificateFlight = gate;

  // 2. Every protocol, concurrently (TLS 1.2 reuses the gate's answer).
  await Promise.all((['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'TLCP'] as const).map((p) => runProtocol(p, p === 'TLSv1.2' ? gate : undefined)));

  // The gate's flight carries the certificates when TLS ≤ 1.2 answered; otherwise ask with the best protocol there is.
  if (!certificateFlight?.certificates?.length) {
    certificateFlight = null;
    const best = (['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3', 'TLCP'] as const).find((p) => results[p].status === 'accepted');
    if (best) {
      const r = await probe({ protocol: best, suites: results[best].suites, statusRequest: best !== 'SSLv3' && best !== 'TLCP' }, true);
      if (r.kind === 'server-hello') certificateFlight = r;
    }
  }

  // A clean close only counts as a refusal from a server that otherwise speaks TLS.
  if (!spokeTls) {
    for (const p of closedRefusals) Object.assign(results[p], { status: 'unknown', complete: false, error: { code: 'ECLOSED', message: 'the server closed the connection without answering, and never answered in TLS', status: 'unknown' } });
  }
  closedRefusals = [];

  // 3. Groups, one at a time.
  const groups: Record<string, boolean | null> = {};
  let groupsVia: Protocol | null = null;
  if (results['TLSv1.3'].status === 'accepted') {
    groupsVia = 'TLSv1.3';
    const suites = results['TLSv1.3'].suites;
    await Promise.all(
      ['x25519', 'secp256r1', 'secp384r1', 'secp521r1', 'X25519MLKEM768', 'curveSM2'].map(async (name) => {
        const g = GROUPS[name]!;
        const r = await probe({ protocol: 'TLSv1.3', suites, groups: [g], keyShares: g === GROUPS.x25519 ? undefined : [] });
        groups[name] = r.kind === 'server-hello' && r.version === 0x0304 ? r.group === g : failure(r) ? null : false;
      }),
    );
  } else {
    const best = (['TLSv1.2', 'TLSv1.1', 'TLSv1.0'] as const).find((p) => results[p].status === 'accepted' && results[p].suites.some((c) => LEGACY_SUITES.find((s) => s.code === c)?.kx === 'ECDHE'));
    if (best) {
      groupsVia = best;
      const ecdhe = results[best].suites.filter((c) => LEGACY_SUITES.find((s) => s.code === c)?.kx === 'ECDHE');
      await Promise.all(
        ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'].map(async (name) => {
          const r = await probe({ protocol: best, suites: ecdhe, groups: [GROUPS[name]!] });
          groups[name] = accepted(best, r) !== null ? true : failure(r) ? null : false;
        }),
      );
    }
  }

  const reachable = spokeTls ? 'tls' : 'unknown';
  return { reachable, protocols: results, groups, groupsVia, certificateFlight, handshakes, fatal: null };
}

