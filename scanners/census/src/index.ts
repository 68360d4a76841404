/**
 * The census (网站普查) scanner: the content checks of the national
 * inspection indicators (政府网站与政务新媒体检查指标, 2019) as facts —
 * availability of the homepage over several probes, freshness of the
 * homepage and of its first-level columns, every link and image of the
 * homepage and of the pages one level down, and duplicate items. The rules
 * in `rules/census.yaml` hold every threshold.
 */
import type { Attempt, Fact, FetchOptions, FetchResult, Observation, Scanner, ScanContext, ScanOutput, Site, SiteRef } from '@govscan/core';
import { decodeBody } from '@govscan/html';
import { chinaDate, daysBetween, isoDate, plausible, type CalendarDate } from './dates.js';
import { columnKind, columnLinks, DEFAULT_EXTRACT_LIMITS, extractPage, type ExtractedPage, type ExtractLimits } from './extract.js';
import { Aborted, ROBOTS_AGENT, RunState, runStateFor, sleep } from './polite.js';

export { chinaDate, daysBetween, findDate, findTrailingDate, isoDate, plausible, type CalendarDate, type FoundDate } from './dates.js';
export { columnKind, columnLinks, extractPage, resolveLink, type ColumnKind, type ExtractedPage, type ExtractLimits, type ItemList, type ListItem, type PageImage, type PageLink, type Region } from './extract.js';
export { HostGate, ROBOTS_AGENT } from './polite.js';

export interface CensusOptions {
  /** Homepage probes for availability (the indicators sample it repeatedly). */
  probes: number;
  /** Probe i starts i × this many ms after the first. */
  probeIntervalMs: number;
  /** Time limit of one probe; null: the run's timeout (15 s by default, the indicators' limit). */
  probeTimeoutMs: number | null;
  /** First-level column pages read per site. */
  maxColumns: number;
  /** Article pages read per site (for duplicates; links are checked on those one level down). */
  maxArticles: number;
  /** Distinct links and images checked per site; the rest are reported as not checked. */
  maxLinksPerSite: number;
  extract: ExtractLimits;
  /** Requests in flight to one host at once. */
  perHostConcurrency: number;
  /** Minimum time between the starts of two requests to one host (raised by a robots.txt Crawl-delay, up to maxCrawlDelayMs). */
  perHostIntervalMs: number;
  maxCrawlDelayMs: number;
  /** Bytes read of a page that is parsed, and of a link checked with GET. */
  pageMaxBytes: number;
  linkMaxBytes: number;
  /** Wall-clock budget of one site's crawl after the probes; what is left is reported as not checked. */
  siteBudgetMs: number;
  /** Consecutive timeouts, refusals or resets from one host after which its remaining checks of the site are skipped. */
  hostFailureLimit: number;
  /** URLs outside the sites checked once per run, at most this many remembered. */
  sharedCacheSize: number;
}

export const DEFAULT_CENSUS_OPTIONS: CensusOptions = {
  probes: 3,
  probeIntervalMs: 1000,
  probeTimeoutMs: null,
  maxColumns: 30,
  maxArticles: 40,
  maxLinksPerSite: 300,
  extract: DEFAULT_EXTRACT_LIMITS,
  perHostConcurrency: 2,
  perHostIntervalMs: 100,
  maxCrawlDelayMs: 2000,
  pageMaxBytes: 2 * 1024 * 1024,
  linkMaxBytes: 64 * 1024,
  siteBudgetMs: 120_000,
  hostFailureLimit: 3,
  sharedCacheSize: 20_000,
};

const SCANNER = 'census';
export const CENSUS_KINDS = ['census.availability', 'census.list', 'census.link', 'census.duplicates'] as const;
/** What the homepage's content decides: no readable homepage, none of these is known. */
const CONTENT_KINDS = ['census.list', 'census.link', 'census.duplicates'] as const;

/** What a fetch or a link check came to, without its body. */
interface Outcome {
  url: string;
  status: number | null;
  finalUrl: string;
  /** Error code, or null. */
  error: string | null;
  errorStatus: 'error' | 'unknown' | null;
  errorMessage: string | null;
  method: 'GET' | 'HEAD' | null;
  ms: number;
}

const HOST_FAILURES = new Set(['ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET']);

function outcomeOf(r: FetchResult, method: 'GET' | 'HEAD'): Outcome {
  return {
    url: r.url,
    status: r.status,
    finalUrl: r.finalUrl,
    error: r.error?.code ?? null,
    errorStatus: r.error?.status ?? null,
    errorMessage: r.error?.message ?? null,
    method,
    ms: r.timings.totalMs,
  };
}

function notChecked(url: string, code: string, message: string): Outcome {
  return { url, status: null, finalUrl: url, error: code, errorStatus: 'unknown', errorMessage: message, method: null, ms: 0 };
}

function describeOutcome(o: Outcome): string {
  if (o.error) return `${o.error}${o.errorMessage ? ` ${o.errorMessage}` : ''}`;
  return `HTTP ${o.status}${o.finalUrl !== o.url ? `（跳转至 ${o.finalUrl}）` : ''}`;
}

function isHtml(r: FetchResult): boolean {
  const ct = r.headers['content-type'];
  const s = Array.isArray(ct) ? ct.join(';') : (ct ?? '');
  return s === '' || /html|xml/i.test(s);
}

function contentType(r: FetchResult): string | null {
  const ct = r.headers['content-type'];
  return Array.isArray(ct) ? (ct[0] ?? null) : (ct ?? null);
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

function loadedOk(r: FetchResult): boolean {
  return !r.error && r.status !== null && r.status >= 200 && r.status < 300;
}

function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function withoutQuery(url: string): string {
  const u = new URL(url);
  u.search = '';
  return u.href;
}

interface LinkUse {
  kind: 'link' | 'image';
  pages: string[];
  inContent: boolean;
  text: string;
}

/** One site's census: built per scan, discarded after. */
class SiteScan {
  readonly observations: Observation[] = [];
  readonly attempts: Attempt[] = [];
  private readonly ref: SiteRef;
  private readonly primary: string;
  private readonly hosts: Set<string>;
  private readonly today: CalendarDate;
  private readonly signal: AbortSignal;
  private deadline = Number.POSITIVE_INFINITY;
  private readonly hostFailures = new Map<string, number>();
  /** Outcomes of the pages fetched whole, reused when the same URL turns up as a link. */
  private readonly fetched = new Map<string, Outcome>();

  constructor(
    private readonly site: Site,
    private readonly ctx: ScanContext,
    private readonly st: RunState,
    private readonly o: CensusOptions,
  ) {
    this.ref = { code: site.code, name: site.name };
    this.primary = site.urls[0]!;
    this.hosts = new Set(site.urls.map(hostOf));
    this.today = chinaDate(ctx.now());
    this.signal = ctx.signal;
  }

  private at(): string {
    return this.ctx.now().toISOString();
  }

  private attempt(target: string, check: string, status: Attempt['status'], startedAt: string, durationMs: number, error?: { code: string; message: string }, covers?: readonly string[]): void {
    const a: Attempt = { scanner: SCANNER, site: this.ref, target, check, status, startedAt, durationMs: Math.round(durationMs) };
    if (error && status !== 'ok') a.error = error;
    if (covers?.length) a.covers = [...covers];
    this.attempts.push(a);
  }

  private observe(kind: string, target: string, locator: string, facts: Record<string, Fact>, evidence: string[], observedAt = this.at()): void {
    this.observations.push({ scanner: SCANNER, kind, site: this.ref, target, locator, facts, evidence, observedAt });
  }

  private sameSite(url: string): boolean {
    return this.hosts.has(hostOf(url));
  }

  async run(): Promise<ScanOutput> {
    const probes = this.startProbes();
    // The content checks start as soon as one probe has loaded the homepage; the other probes go on meanwhile.
    let home: FetchResult | null = null;
    for (const p of probes) {
      const r = await p;
      if (r !== null && loadedOk(r)) {
        home = r;
        break;
      }
    }
    const t0 = performance.now();
    const startedAt = this.at();
    let content: Promise<void> = Promise.resolve();
    let crash: { err: unknown } | null = null;
    if (home) {
      this.deadline = performance.now() + this.o.siteBudgetMs;
      content = this.content(home, startedAt, t0).catch((err: unknown) => {
        if (err instanceof Aborted) this.attempt(this.primary, 'content', 'unknown', startedAt, performance.now() - t0, { code: 'E_ABORTED', message: 'run interrupted during the content checks' }, CONTENT_KINDS);
        else crash = { err };
      });
    }
    const all = await Promise.all(probes);
    this.availability(all);
    await content;
    // A bug, not a network problem: the pipeline records it as a scanner crash.
    if (crash) throw (crash as { err: unknown }).err;
    if (!home) {
      const tried = all.filter((p): p is FetchResult => p !== null);
      const allUnknown = tried.length === 0 || tried.every((p) => p.error?.status === 'unknown');
      const first = tried.find((p) => p.error) ?? tried[0];
      const code = first?.error?.code ?? (first?.status ? `HTTP_${first.status}` : 'E_ABORTED');
      this.attempt(this.primary, 'homepage', allUnknown ? 'unknown' : 'error', startedAt, 0, {
        code,
        message: `the homepage did not load in any of ${this.o.probes} probes (${first?.error?.message ?? (first?.status ? `HTTP ${first.status}` : 'not tried')}); content checks not run`,
      }, CONTENT_KINDS);
    }
    return { observations: this.observations, attempts: this.attempts };
  }

  // -------------------------------------------------------------------------
  // Availability: N probes of the homepage, started probeIntervalMs apart.

  private startProbes(): Promise<FetchResult | null>[] {
    const n = Math.max(1, this.o.probes);
    const timeoutMs = this.o.probeTimeoutMs ?? this.ctx.timeoutMs;
    return Array.from({ length: n }, async (_, i): Promise<FetchResult | null> => {
      try {
        await sleep(i * this.o.probeIntervalMs, this.signal);
      } catch {
        this.attempt(this.primary, `probe:${i + 1}`, 'unknown', this.at(), 0, { code: 'E_ABORTED', message: 'run interrupted before this probe' });
        return null;
      }
      const startedAt = this.at();
      // each probe a deliberate repeat: sent and resolved anew, never answered from the run's memo
      const r = await this.ctx.net.fetch(this.primary, { signal: this.signal, timeoutMs, maxBytes: this.o.pageMaxBytes, fresh: true });
      this.attempt(this.primary, `probe:${i + 1}`, r.error ? r.error.status : 'ok', startedAt, r.timings.totalMs, r.error ? { code: r.error.code, message: r.error.message } : undefined);
      return r;
    });
  }

  /** The availability observation, from every probe. */
  private availability(results: (FetchResult | null)[]): void {
    const timeoutMs = this.o.probeTimeoutMs ?? this.ctx.timeoutMs;
    const tried = results.filter((r): r is FetchResult => r !== null);
    const verdicts = tried.map((r) => (r.error?.status === 'unknown' ? null : loadedOk(r)));
    const successes = verdicts.filter((v) => v === true).length;
    const failures = verdicts.filter((v) => v === false).length;
    const measured = successes + failures;
    const okMs = tried.filter(loadedOk).map((r) => r.timings.totalMs);
    this.observe(
      'census.availability',
      this.primary,
      'homepage',
      {
        url: this.primary,
        probes: tried.length,
        successes,
        failures,
        unknown: tried.length - measured,
        failureShare: measured > 0 ? Math.round((failures / measured) * 1000) / 1000 : null,
        loaded: successes > 0 ? true : measured > 0 ? false : null,
        totalMs: median(okMs),
        maxMs: okMs.length ? Math.max(...okMs) : null,
        statuses: tried.map((r) => r.status),
        errors: tried.map((r) => r.error?.code ?? null),
        timeoutMs,
      },
      tried.map((r, i) => `第 ${i + 1} 次访问 ${r.url}：${r.error ? `${r.error.code} ${r.error.message}` : `HTTP ${r.status}`}，用时 ${r.timings.totalMs} ms`),
    );
  }

  // -------------------------------------------------------------------------
  // Fetching, politely: budget, failing hosts, robots.txt, the host's gate.

  private async admit(url: string): Promise<Outcome | null> {
    if (this.signal.aborted) throw new Aborted();
    if (performance.now() > this.deadline) return notChecked(url, 'E_BUDGET', `not checked: the site's time budget (${this.o.siteBudgetMs} ms) ran out`);
    const host = hostOf(url);
    if (this.failing(host)) return this.hostFailingOutcome(url);
    if (this.site.own && this.sameSite(url)) return null;
    const origin = new URL(url).origin;
    const robots = await this.st.robotsFor(origin, this.signal);
    if (robots.status === 'unknown') return notChecked(url, robots.error?.code ?? 'EROBOTS_UNKNOWN', `not checked: robots.txt of ${origin}: ${robots.error?.message ?? 'unknown'}`);
    if (robots.status === 'unavailable') return notChecked(url, 'EROBOTS_UNAVAILABLE', `not checked: robots.txt of ${origin} could not be read (${robots.error?.message ?? 'unknown'})`);
    if (!robots.allowed(url)) return notChecked(url, 'EROBOTS', `not checked: robots.txt of ${origin} disallows it for ${ROBOTS_AGENT}`);
    return null;
  }

  private noteHost(url: string, o: Outcome): void {
    const host = hostOf(url);
    if (o.error && HOST_FAILURES.has(o.error)) this.hostFailures.set(host, (this.hostFailures.get(host) ?? 0) + 1);
    else if (o.status !== null) this.hostFailures.set(host, 0);
  }

  private failing(host: string): boolean {
    return (this.hostFailures.get(host) ?? 0) >= this.o.hostFailureLimit;
  }

  /**
   * A fetch through the host's gate, given up (null) when the host has failed
   * too often by the time the slot comes: requests queued behind ones that
   * time out do not each wait out their own timeout.
   */
  private gated(url: string, options: FetchOptions): Promise<FetchResult | null> {
    const host = hostOf(url);
    return this.st.gate(host).runUnless(
      this.signal,
      () => this.failing(host),
      () => this.ctx.net.fetch(url, { ...options, signal: this.signal, timeoutMs: this.ctx.timeoutMs }),
    );
  }

  private hostFailingOutcome(url: string): Outcome {
    return notChecked(url, 'E_HOST_FAILING', `not checked: ${hostOf(url)} failed ${this.o.hostFailureLimit} requests in a row`);
  }

  /** GET a page to read it. */
  private async getPage(url: string): Promise<{ outcome: Outcome; result: FetchResult | null }> {
    const refused = await this.admit(url);
    if (refused) return { outcome: refused, result: null };
    const r = await this.gated(url, { maxBytes: this.o.pageMaxBytes });
    if (!r) return { outcome: this.hostFailingOutcome(url), result: null };
    const outcome = outcomeOf(r, 'GET');
    this.noteHost(url, outcome);
    this.fetched.set(url, outcome);
    return { outcome, result: r };
  }

  /** HEAD a link, then GET when HEAD was refused or answered with an error status. */
  private async checkLink(url: string): Promise<Outcome> {
    const refused = await this.admit(url);
    if (refused) return refused;
    const head = await this.gated(url, { method: 'HEAD', maxBytes: 0 });
    if (!head) return this.hostFailingOutcome(url);
    let outcome = outcomeOf(head, 'HEAD');
    const retry = (head.status !== null && head.status >= 400) || head.error?.code === 'ECONNRESET' || head.error?.code === 'EHTTPPROTO';
    if (retry) {
      const get = await this.gated(url, { maxBytes: this.o.linkMaxBytes });
      if (!get) return this.hostFailingOutcome(url);
      outcome = outcomeOf(get, 'GET');
    }
    this.noteHost(url, outcome);
    return outcome;
  }

  // -------------------------------------------------------------------------
  // Content: the homepage, its columns, the articles, the links.

  private read(r: FetchResult): ExtractedPage | null {
    if (!isHtml(r)) return null;
    // cut at the byte limit: the last, cut-off piece (half a character, half a date) is not read
    const text = decodeBody(r.body, contentType(r), r.truncated).text;
    return extractPage(text, r.finalUrl, this.today, this.o.extract);
  }

  private async content(home: FetchResult, startedAt: string, t0: number): Promise<void> {
    this.hosts.add(hostOf(home.finalUrl));
    const homeOutcome = outcomeOf(home, 'GET');
    this.fetched.set(this.primary, homeOutcome);
    this.fetched.set(home.finalUrl, homeOutcome);
    const page = this.read(home);
    if (!page) {
      this.attempt(this.primary, 'homepage', 'unknown', startedAt, performance.now() - t0, { code: 'ENOTHTML', message: `the homepage is not HTML (${contentType(home) ?? 'no Content-Type'})` }, CONTENT_KINDS);
      return;
    }
    this.listObservation('homepage', this.primary, '首页', page, homeOutcome);
    this.attempt(this.primary, 'homepage', 'ok', startedAt, performance.now() - t0, undefined, CONTENT_KINDS);

    // robots.txt of the site (the office's own sites are exempt).
    if (!this.site.own) {
      const origin = new URL(home.finalUrl).origin;
      const r0 = performance.now();
      const at = this.at();
      const robots = await this.st.robotsFor(origin, this.signal);
      const status = robots.status === 'unknown' ? 'unknown' : robots.error ? 'error' : 'ok';
      this.attempt(`${origin}/robots.txt`, 'robots', status, at, performance.now() - r0, robots.error ?? undefined);
    }

    // Pages one level down: the columns, and the articles of the homepage's lists.
    const sameSite = (u: string): boolean => this.sameSite(u);
    const columns = columnLinks(page, home.finalUrl, sameSite, this.o.maxColumns);
    const columnPages = await Promise.all(columns.map((c) => this.column(c.url, c.name)));

    const isColumn = new Set(columns.map((c) => c.url));
    const articleUrls: { url: string; level: 1 | 2 }[] = [];
    const seen = new Set<string>([this.primary, home.finalUrl, ...isColumn]);
    const addArticles = (p: ExtractedPage, level: 1 | 2): void => {
      for (const list of p.lists)
        for (const item of list.items) {
          if (!item.href || !sameSite(item.href) || seen.has(item.href) || articleUrls.length >= this.o.maxArticles) continue;
          seen.add(item.href);
          articleUrls.push({ url: item.href, level });
        }
    };
    addArticles(page, 1);
    for (const c of columnPages) if (c) addArticles(c, 2);
    const a0 = performance.now();
    const aAt = this.at();
    const articles = await Promise.all(
      articleUrls.map(async ({ url, level }) => {
        const { outcome, result } = await this.getPage(url);
        const extracted = result && loadedOk(result) ? this.read(result) : null;
        return { url, level, outcome, page: extracted };
      }),
    );
    const unknownArticles = articles.filter((a) => a.outcome.errorStatus === 'unknown');
    if (articles.length > 0) {
      this.attempt(
        this.primary,
        'articles',
        unknownArticles.length ? 'unknown' : 'ok',
        aAt,
        performance.now() - a0,
        unknownArticles.length ? { code: unknownArticles[0]!.outcome.error ?? 'EUNKNOWN', message: `${unknownArticles.length} of ${articles.length} article pages could not be read (${unknownArticles[0]!.outcome.errorMessage})` } : undefined,
        ['census.duplicates'],
      );
    }

    this.duplicates(page, columns, columnPages, articles);

    // Links and images of the homepage and the pages one level down.
    const sources: { url: string; page: ExtractedPage }[] = [{ url: home.finalUrl, page }];
    columnPages.forEach((p, i) => p && sources.push({ url: columns[i]!.url, page: p }));
    for (const a of articles) if (a.level === 1 && a.page) sources.push({ url: a.url, page: a.page });
    await this.links(sources);
  }

  private listObservation(role: 'homepage' | 'column', url: string, name: string, page: ExtractedPage | null, outcome: Outcome): void {
    const items = page ? page.lists.flatMap((l) => l.items) : [];
    const dated = items.filter((i) => i.date !== null);
    const good = dated.filter((i) => plausible(i.date!, this.today));
    const latest = good.reduce<CalendarDate | null>((best, i) => (best === null || daysBetween(best, i.date!) > 0 ? i.date! : best), null);
    const undated = items.filter((i) => i.date === null);
    const loaded = outcome.errorStatus === 'unknown' ? null : outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    const columnName = page?.columnName || name;
    const kind = role === 'homepage' ? 'homepage' : columnKind(columnName, page?.columnType ?? null);
    const ageDays = latest ? daysBetween(latest, this.today) : null;
    const facts: Record<string, Fact> = {
      url,
      role,
      name: columnName,
      columnType: page?.columnType ?? null,
      kind,
      loaded,
      status: outcome.status,
      items: page ? items.length : null,
      datedItems: page ? dated.length : null,
      undatedItems: page ? undated.length : null,
      implausibleDates: page ? dated.length - good.length : null,
      latestDate: latest ? isoDate(latest) : null,
      ageDays,
      contentLinks: page ? page.contentLinks : null,
      contentChars: page ? page.contentChars : null,
      undatedExamples: undated.slice(0, 5).map((i) => i.title),
    };
    const label = role === 'homepage' ? '首页' : `栏目「${columnName}」`;
    const evidence: string[] = [];
    if (!page) evidence.push(`${label} ${url}：${describeOutcome(outcome)}`);
    else {
      evidence.push(`${label} ${url}：列表 ${page.lists.length} 个，条目 ${items.length} 条，其中有日期 ${dated.length} 条${latest ? `，最新 ${isoDate(latest)}（距检查日 ${ageDays} 天）` : ''}`);
      if (dated.length > good.length) evidence.push(`不合理的日期（早于 1990 年或晚于检查日）：${dated.filter((i) => !plausible(i.date!, this.today)).slice(0, 3).map((i) => `「${i.title}」${i.date!.raw}`).join('；')}`);
      if (undated.length) evidence.push(`无日期条目 ${undated.length} 条，如：${undated.slice(0, 3).map((i) => `「${i.title}」`).join('、')}`);
    }
    this.observe('census.list', url, role === 'homepage' ? 'list' : 'column', facts, evidence);
  }

  private async column(url: string, name: string): Promise<ExtractedPage | null> {
    const t0 = performance.now();
    const at = this.at();
    const { outcome, result } = await this.getPage(url);
    this.attempt(url, 'column', outcome.errorStatus ?? 'ok', at, performance.now() - t0, outcome.error ? { code: outcome.error, message: outcome.errorMessage ?? '' } : undefined);
    const page = result && loadedOk(result) ? this.read(result) : null;
    this.listObservation('column', url, name, page, outcome);
    return page;
  }

  private duplicates(home: ExtractedPage, columns: { url: string; name: string }[], columnPages: (ExtractedPage | null)[], articles: { url: string; page: ExtractedPage | null }[]): void {
    const lines: string[] = [];
    const titles: Fact[] = [];
    let lists = 0;
    const pages: [string, ExtractedPage | null][] = [[this.primary, home], ...columns.map((c, i): [string, ExtractedPage | null] => [c.url, columnPages[i] ?? null])];
    for (const [url, p] of pages) {
      if (!p) continue;
      for (const list of p.lists) {
        lists++;
        const counts = new Map<string, number>();
        for (const item of list.items) {
          const t = item.title.replace(/\s+/g, ' ').trim();
          if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
        }
        for (const [t, n] of counts)
          if (n > 1) {
            titles.push({ title: t, page: url, times: n });
            if (lines.length < 20) lines.push(`「${t}」在 ${url} 的同一列表中出现 ${n} 次`);
          }
      }
    }
    const byHash = new Map<string, string[]>();
    for (const a of articles) {
      if (!a.page?.contentHash) continue;
      byHash.set(a.page.contentHash, [...(byHash.get(a.page.contentHash) ?? []), a.url]);
    }
    const groups: Fact[] = [];
    for (const urls of byHash.values()) {
      // Aliases of one URL (the same path with another query) are one article, not two.
      if (new Set(urls.map(withoutQuery)).size < 2) continue;
      groups.push(urls.slice(0, 10));
      if (lines.length < 20) lines.push(`同一篇文章发布在 ${urls.length} 个网址：${urls.slice(0, 5).join('、')}`);
    }
    this.observe(
      'census.duplicates',
      this.primary,
      'duplicates',
      { url: this.primary, listsChecked: lists, articlesChecked: [...byHash.values()].reduce((n, u) => n + u.length, 0), duplicateTitles: titles.length, duplicateArticles: groups.length, duplicates: titles.length + groups.length, titles: titles.slice(0, 20), articleGroups: groups.slice(0, 20) },
      lines,
    );
  }

  private async links(sources: { url: string; page: ExtractedPage }[]): Promise<void> {
    const t0 = performance.now();
    const at = this.at();
    const uses = new Map<string, LinkUse>();
    let found = 0;
    let cutOnPages = 0;
    const add = (url: string, kind: 'link' | 'image', page: string, inContent: boolean, text: string): void => {
      found++;
      const key = `${kind} ${url}`;
      const u = uses.get(key);
      if (u) {
        if (u.pages.length < 5 && !u.pages.includes(page)) u.pages.push(page);
        u.inContent ||= inContent;
        return;
      }
      uses.set(key, { kind, pages: [page], inContent, text });
    };
    for (const s of sources) {
      cutOnPages += s.page.cut.links;
      for (const l of s.page.links) add(l.url, 'link', s.url, l.region === 'content', l.text);
      for (const i of s.page.images) add(i.url, 'image', s.url, i.region === 'content', i.alt);
    }
    const entries = [...uses];
    const toCheck = entries.slice(0, this.o.maxLinksPerSite);
    const results = await Promise.all(
      toCheck.map(async ([key, use]) => {
        const url = key.slice(key.indexOf(' ') + 1);
        const known = this.fetched.get(url);
        if (known) return known;
        if (this.sameSite(url)) return this.checkLink(url);
        const admitted = performance.now() > this.deadline ? notChecked(url, 'E_BUDGET', `not checked: the site's time budget (${this.o.siteBudgetMs} ms) ran out`) : null;
        return admitted ?? this.st.sharedCheck(url, () => this.checkLink(url));
      }),
    );
    toCheck.forEach(([key, use], i) => {
      const url = key.slice(key.indexOf(' ') + 1);
      const r = results[i]!;
      const host = hostOf(url);
      const sameSite = this.sameSite(url);
      this.observe(
        'census.link',
        url,
        use.kind,
        {
          url,
          kind: use.kind,
          host,
          sameSite,
          registered: sameSite || this.ctx.net.isRegisteredHost(host),
          inContent: use.inContent,
          text: use.text,
          page: use.pages[0]!,
          pages: use.pages,
          status: r.status,
          error: r.error,
          // 'ok' (an answer was had), 'error' (the target failed), 'unknown' (it could not be established)
          errorStatus: r.errorStatus ?? 'ok',
          errorMessage: r.errorMessage,
          method: r.method,
        },
        [`${use.kind === 'image' ? '图片' : '链接'} ${url}${use.text ? `「${use.text}」` : ''}（位于 ${use.pages[0]}）：${describeOutcome(r)}`],
      );
    });
    const unknown = results.filter((r) => r.errorStatus === 'unknown');
    const unchecked = entries.length - toCheck.length + cutOnPages;
    if (unknown.length === 0 && unchecked === 0) this.attempt(this.primary, 'links', 'ok', at, performance.now() - t0, undefined, ['census.link']);
    else {
      const codes = new Map<string, number>();
      for (const r of unknown) codes.set(r.error ?? '?', (codes.get(r.error ?? '?') ?? 0) + 1);
      const parts: string[] = [];
      if (unknown.length) parts.push(`${unknown.length} of ${toCheck.length} links could not be checked (${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')})`);
      if (unchecked) parts.push(`${unchecked} of ${found + cutOnPages} links and images not checked (limits: ${this.o.maxLinksPerSite} distinct per site, ${this.o.extract.maxLinks} read per page)`);
      // No cover: a link that could not be checked is an unknown fact of its own observation (its rules
      // are undetermined there), and links past the limits are outside the census's documented scope.
      this.attempt(this.primary, 'links', 'unknown', at, performance.now() - t0, { code: unknown.length ? 'E_LINKS_UNKNOWN' : 'E_LINKS_LIMIT', message: parts.join('; ') });
    }
  }
}

/** A census scanner with its own limits (probe count, politeness, bounds). */
export function createCensusScanner(options: Partial<CensusOptions> = {}): Scanner {
  const o: CensusOptions = { ...DEFAULT_CENSUS_OPTIONS, ...options, extract: { ...DEFAULT_CENSUS_OPTIONS.extract, ...options.extract } };
  return {
    id: SCANNER,
    title: { zh: '网站普查', en: 'Website census' },
    emits: CENSUS_KINDS,
    async scan(site: Site, ctx: ScanContext): Promise<ScanOutput> {
      const st = runStateFor(ctx, () => new RunState(ctx.net, { perHostConcurrency: o.perHostConcurrency, perHostIntervalMs: o.perHostIntervalMs, maxCrawlDelayMs: o.maxCrawlDelayMs, sharedCacheSize: o.sharedCacheSize, timeoutMs: ctx.timeoutMs }));
      return new SiteScan(site, ctx, st, o).run();
    },
  };
}

/** The census scanner with the default limits. */
export const census = createCensusScanner();
