/**
 * Politeness: a per-host gate (concurrency and a minimum interval between
 * request starts), robots.txt read once per origin and run, and one check of
 * each URL outside the site per run however many sites link to it.
 */
import robotsParserModule from 'robots-parser';
import type { NetClient } from '@govscan/core';

// robots-parser is CommonJS (`module.exports = function`) while its types declare a default export.
const robotsParser = ((robotsParserModule as unknown as { default?: unknown }).default ?? robotsParserModule) as unknown as typeof robotsParserModule.default;

/** The product token govscan answers to in robots.txt. */
export const ROBOTS_AGENT = 'govscan';

export class Aborted extends Error {
  constructor() {
    super('aborted');
  }
}

/** Sleep that ends early (rejecting with `Aborted`) when the signal fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Aborted());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** At most `concurrency` requests in flight to one host, their starts at least `intervalMs` apart. */
export class HostGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private nextStart = 0;

  constructor(
    private readonly concurrency: number,
    public intervalMs: number,
  ) {}

  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    return (await this.runUnless(signal, () => false, fn)) as T;
  }

  /**
   * Like `run`, but when `skip()` holds by the time the slot comes, the slot is
   * handed on at once and null returned: a request given up (its host failing)
   * costs neither a request nor the interval between two.
   */
  async runUnless<T>(signal: AbortSignal, skip: () => boolean, fn: () => Promise<T>): Promise<T | null> {
    if (signal.aborted) throw new Aborted();
    if (this.active < this.concurrency) this.active++;
    else {
      // Wait for a slot; a finishing request hands its slot straight over.
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new Aborted());
        };
        const go = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(go);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    try {
      if (skip()) return null;
      const now = performance.now();
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + this.intervalMs;
      await sleep(start - now, signal);
      if (skip()) return null;
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export interface RobotsVerdict {
  /**
   * `ok`: a robots.txt was read. `none`: there is none (4xx), or it could not
   * be fetched for a network failure of the host (the requests themselves will
   * meet the same failure and record it). `unavailable`: the server failed to
   * serve it (5xx): nothing is fetched. `unknown`: whether it exists could not
   * be established (address policy, resolver failure): nothing is fetched.
   */
  status: 'ok' | 'none' | 'unavailable' | 'unknown';
  allowed(url: string): boolean;
  /** Crawl-delay asked for, in milliseconds, or null. */
  crawlDelayMs: number | null;
  /** The error met fetching it, if any. */
  error: { code: string; message: string } | null;
}

/** Per run: gates, robots verdicts and results of URLs shared by several sites. */
export class RunState {
  private readonly gates = new Map<string, HostGate>();
  private readonly robots = new Map<string, Promise<RobotsVerdict>>();
  private readonly shared = new Map<string, Promise<unknown>>();

  constructor(
    readonly net: NetClient,
    readonly options: { perHostConcurrency: number; perHostIntervalMs: number; maxCrawlDelayMs: number; sharedCacheSize: number; timeoutMs: number },
  ) {}

  gate(host: string): HostGate {
    const key = host.toLowerCase();
    let g = this.gates.get(key);
    if (!g) {
      g = new HostGate(this.options.perHostConcurrency, this.options.perHostIntervalMs);
      this.gates.set(key, g);
    }
    return g;
  }

  /** robots.txt of an origin, fetched once per run (through the host's gate). */
  robotsFor(origin: string, signal: AbortSignal): Promise<RobotsVerdict> {
    let p = this.robots.get(origin);
    if (!p) {
      p = this.readRobots(origin, signal);
      this.robots.set(origin, p);
    }
    return p;
  }

  private async readRobots(origin: string, signal: AbortSignal): Promise<RobotsVerdict> {
    const url = `${origin}/robots.txt`;
    const r = await this.gate(new URL(origin).hostname).run(signal, () => this.net.fetch(url, { signal, timeoutMs: this.options.timeoutMs, maxBytes: 512 * 1024 }));
    if (r.error) {
      const error = { code: r.error.code, message: r.error.message };
      if (r.error.status === 'unknown') return { status: 'unknown', allowed: () => false, crawlDelayMs: null, error };
      return { status: 'none', allowed: () => true, crawlDelayMs: null, error };
    }
    const status = r.status ?? 0;
    if (status >= 400 && status < 500) return { status: 'none', allowed: () => true, crawlDelayMs: null, error: null };
    if (status < 200 || status >= 300) return { status: 'unavailable', allowed: () => false, crawlDelayMs: null, error: { code: `HTTP_${status}`, message: `${url} answered HTTP ${status}` } };
    // The rules are read against the URL robots.txt was finally served from.
    const robots = robotsParser(r.finalUrl, r.body.toString('utf8'));
    const delay = robots.getCrawlDelay(ROBOTS_AGENT);
    const crawlDelayMs = typeof delay === 'number' && Number.isFinite(delay) && delay > 0 ? Math.min(delay * 1000, this.options.maxCrawlDelayMs) : null;
    if (crawlDelayMs !== null) {
      const g = this.gate(new URL(origin).hostname);
      g.intervalMs = Math.max(g.intervalMs, crawlDelayMs);
    }
    const robotsOrigin = new URL(r.finalUrl).origin;
    return {
      status: 'ok',
      // A URL of this origin checked against rules served from another (robots.txt redirected) is re-based onto that origin.
      allowed: (u: string) => {
        const x = new URL(u);
        return robots.isAllowed(robotsOrigin + x.pathname + x.search, ROBOTS_AGENT) !== false;
      },
      crawlDelayMs,
      error: null,
    };
  }

  /** One check per run of a URL that several sites link to (bounded: past the cap, each site checks for itself). */
  sharedCheck<T>(url: string, check: () => Promise<T>): Promise<T> {
    const hit = this.shared.get(url) as Promise<T> | undefined;
    if (hit) return hit;
    const p = check();
    if (this.shared.size < this.options.sharedCacheSize) this.shared.set(url, p);
    return p;
  }
}

const states = new WeakMap<object, RunState>();

/** The run state of a scan context: the pipeline passes one context object to every scan of a run. */
export function runStateFor(ctx: object, make: () => RunState): RunState {
  let s = states.get(ctx);
  if (!s) {
    s = make();
    states.set(ctx, s);
  }
  return s;
}
