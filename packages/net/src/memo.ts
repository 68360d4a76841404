/**
 * The run's fetch memo: each request (one hop: method, URL, request headers,
 * the address it goes to) is sent once per run, whichever scanners ask for it;
 * the others get the same answer. Requests in flight are shared too. The
 * availability probes, which are deliberate repeats, ask for `fresh` answers
 * and bypass it.
 *
 * Bounded: answers are kept while their bodies fit in the byte budget and
 * their number in the entry budget, the least recently used dropped first. An answer cut short by the caller's own
 * signal or deadline is never kept: the next caller asks again.
 */
import type { NetError, TlsSummary } from '@govscan/core';

/** One hop's answer: a response (its body read, or dumped for a redirect), or the error it came to. */
export type HopAnswer =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string | string[]>;
      location: string | null;
      address: string | null;
      port: number | null;
      tls: TlsSummary | null;
      elapsedMs: number;
      /** The body (empty for a redirect), up to `maxBytes` after decoding. */
      body: Buffer;
      truncated: boolean;
      maxBytes: number;
      bodyError: NetError | null;
    }
  | { kind: 'error'; error: NetError; elapsedMs: number };

export const DEFAULT_MEMO_BYTES = 64 * 1024 * 1024;
/** Answers kept at most: the sharing happens while a site's scanners run, close together in time. */
export const DEFAULT_MEMO_ENTRIES = 2048;

export class HopMemo {
  private readonly entries = new Map<string, { answer: Promise<HopAnswer>; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly budgetBytes = DEFAULT_MEMO_BYTES,
    private readonly maxEntries = DEFAULT_MEMO_ENTRIES,
  ) {}

  get(key: string): Promise<HopAnswer> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // most recently used last
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.answer;
  }

  /** Share `answer` under `key` while it runs; keep it when it settles, unless `keep` says no. */
  set(key: string, answer: Promise<HopAnswer>, keep: (a: HopAnswer) => boolean): void {
    const entry = { answer, bytes: 0 };
    this.drop(key);
    this.entries.set(key, entry);
    // the least recently used first, in flight or not (one in flight is then just not shared)
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.drop(k);
    }
    answer.then(
      (a) => {
        if (this.entries.get(key) !== entry) return;
        if (!keep(a)) {
          this.entries.delete(key);
          return;
        }
        entry.bytes = a.kind === 'response' ? a.body.length : 0;
        this.bytes += entry.bytes;
        this.evict();
      },
      () => this.drop(key),
    );
  }

  drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.bytes;
    this.entries.delete(key);
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.budgetBytes) return;
      if (e.bytes === 0) continue;
      this.bytes -= e.bytes;
      this.entries.delete(key);
    }
  }
}

/** The memo key of one hop: fixed field order, separated by a character no field holds. */
export function hopKey(method: string, url: string, address: string, headers: Record<string, string> | undefined): string {
  const h = headers ? Object.entries(headers).map(([k, v]) => `${k.toLowerCase()}:${v}`).sort().join('\n') : '';
  return [method, url, address, h].join('\u0000');
}
