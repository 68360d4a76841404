/**
 * Rendering in a sandboxed headless Chromium (Debian's `chromium`, driven by
 * playwright-core): a viewport and a full-page screenshot, the rendered DOM
 * and a PDF print, per client profile.
 *
 * Containment: the browser resolves no name itself. `--host-resolver-rules`
 * maps exactly the hosts govscan resolved (through its own resolver, with the
 * address policy and --connect-to applied) to their address and port, and
 * every other name — IP literals included — to NOTFOUND. On top of that a
 * route handler aborts every request that is not GET/HEAD (so no form is ever
 * submitted), not http(s), or to a host outside that set; downloads are
 * refused, service workers blocked, WebSockets closed, dialogs dismissed,
 * pop-ups closed, and everything runs under a time limit after which the
 * browser is closed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ClientProfile } from './profiles.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-breakpad',
  '--no-pings',
  '--dns-prefetch-disable',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

/**
 * Where Chromium is: `GOVSCAN_CHROMIUM` (a path, or `none` to do without),
 * else /usr/bin/chromium or chromium / chromium-browser on PATH. null: none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string | null; why: string } {
  const v = env.GOVSCAN_CHROMIUM;
  if (v !== undefined && v !== '') {
    if (v === 'none') return { path: null, why: 'GOVSCAN_CHROMIUM=none' };
    return existsSync(v) ? { path: v, why: `GOVSCAN_CHROMIUM=${v}` } : { path: null, why: `GOVSCAN_CHROMIUM=${v} does not exist` };
  }
  const candidates = ['/usr/bin/chromium', ...(env.PATH ?? '').split(path.delimiter).filter(Boolean).flatMap((d) => [path.join(d, 'chromium'), path.join(d, 'chromium-browser')])];
  for (const c of candidates) if (existsSync(c)) return { path: c, why: c };
  return { path: null, why: 'no chromium executable found' };
}

export interface HostMapping {
  host: string;
  port: number;
  address: string;
  targetPort: number;
}

/** `--host-resolver-rules` for these mappings; everything else NOTFOUND. */
export function hostResolverRules(mappings: HostMapping[]): string {
  const rules = mappings.map((m) => `MAP ${m.host}:${m.port} ${net.isIPv6(m.address) ? `[${m.address}]` : m.address}:${m.targetPort}`);
  rules.push('MAP * ~NOTFOUND');
  return rules.join(', ');
}

export async function launchBrowser(executablePath: string, mappings: HostMapping[], timeoutMs: number): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=${hostResolverRules(mappings)}`],
    timeout: timeoutMs,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

export interface BrowserRequest {
  method: string;
  url: string;
  resourceType: string;
  outcome: 'allowed' | 'blocked-method' | 'blocked-scheme' | 'blocked-host' | 'blocked-limit';
}

export interface BrowserCapture {
  profile: ClientProfile['id'];
  status: 'captured' | 'partial' | 'failed';
  error: string | null;
  finalUrl: string | null;
  title: string | null;
  elapsedMs: number;
  viewportPng: Buffer | null;
  fullPagePng: Buffer | null;
  dom: Buffer | null;
  pdf: Buffer | null;
  requests: BrowserRequest[];
  dialogs: string[];
  popupsClosed: number;
}

export interface RenderOptions {
  url: string;
  profile: ClientProfile;
  allowedHosts: Set<string>;
  timeoutMs: number;
  /** What to capture (the genuine site needs screenshots only). */
  want: { fullPage: boolean; dom: boolean; pdf: boolean };
  maxRequests?: number;
}

const MAX_FULLPAGE_HEIGHT = 8000;
const MAX_DOM_BYTES = 5 * 1024 * 1024;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
    }),
  ]);
}

/** Render one URL in a fresh context; never throws (failures are in `status`/`error`). */
export async function renderPage(browser: Browser, o: RenderOptions): Promise<BrowserCapture> {
  const t0 = performance.now();
  const out: BrowserCapture = { profile: o.profile.id, status: 'failed', error: null, finalUrl: null, title: null, elapsedMs: 0, viewportPng: null, fullPagePng: null, dom: null, pdf: null, requests: [], dialogs: [], popupsClosed: 0 };
  const deadline = Date.now() + o.timeoutMs;
  const left = (): number => Math.max(500, deadline - Date.now());
  let context: BrowserContext | null = null;
  const maxRequests = o.maxRequests ?? 300;
  try {
    context = await browser.newContext({
      userAgent: o.profile.userAgent,
      viewport: o.profile.viewport,
      isMobile: o.profile.isMobile,
      hasTouch: o.profile.isMobile,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: false,
      serviceWorkers: 'block',
      ignoreHTTPSErrors: true,
      bypassCSP: false,
      javaScriptEnabled: true,
      extraHTTPHeaders: { 'Accept-Language': o.profile.acceptLanguage },
    });
    await context.route('**/*', async (route) => {
      const req = route.request();
      const method = req.method();
      let outcome: BrowserRequest['outcome'] = 'allowed';
      let host = '';
      let scheme = '';
      try {
        const u = new URL(req.url());
        host = u.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
        scheme = u.protocol;
      } catch {
        /* blocked below */
      }
      if (scheme === 'data:' || scheme === 'blob:') return route.continue();
      if (method !== 'GET' && method !== 'HEAD') outcome = 'blocked-method';
      else if (scheme !== 'http:' && scheme !== 'https:') outcome = 'blocked-scheme';
      else if (!o.allowedHosts.has(host)) outcome = 'blocked-host';
      else if (out.requests.length >= maxRequests) outcome = 'blocked-limit';
      if (out.requests.length < maxRequests + 50) out.requests.push({ method, url: req.url().slice(0, 2000), resourceType: req.resourceType(), outcome });
      if (outcome === 'allowed') return route.continue().catch(() => undefined);
      return route.abort('blockedbyclient').catch(() => undefined);
    });
    await context.routeWebSocket(/.*/, (ws) => ws.close()).catch(() => undefined);
    let page: Page | null = null;
    context.on('page', (p: Page) => {
      if (page !== null && p !== page) {
        out.popupsClosed++;
        p.close().catch(() => undefined);
      }
    });
    page = await context.newPage();
    const pg: Page = page;
    pg.on('dialog', (d) => {
      out.dialogs.push(`${d.type()}: ${d.message().slice(0, 200)}`);
      d.dismiss().catch(() => undefined);
    });
    pg.on('download', (d) => {
      d.cancel().catch(() => undefined);
    });
    let navError: string | null = null;
    try {
      await pg.goto(o.url, { waitUntil: 'load', timeout: Math.min(left(), Math.floor(o.timeoutMs * 0.6)) });
    } catch (err) {
      navError = (err as Error).message.split('\n')[0] ?? 'navigation failed';
    }
    out.finalUrl = pg.url();
    const step = async <T>(what: string, f: () => Promise<T>): Promise<T | null> => {
      try {
        return await withTimeout(f(), Math.min(left(), 15_000), what);
      } catch (err) {
        navError ??= `${what}: ${(err as Error).message.split('\n')[0]}`;
        return null;
      }
    };
    out.title = await step('title', () => pg.title());
    out.viewportPng = await step('viewport screenshot', () => pg.screenshot({ type: 'png', animations: 'disabled', timeout: left() }));
    if (o.want.fullPage) {
      const height = (await step('page height', () => pg.evaluate('document.documentElement.scrollHeight') as Promise<number>)) ?? 0;
      out.fullPagePng = await step('full-page screenshot', () =>
        pg.screenshot({ type: 'png', fullPage: true, animations: 'disabled', timeout: left(), ...(height > MAX_FULLPAGE_HEIGHT ? { clip: { x: 0, y: 0, width: o.profile.viewport.width, height: MAX_FULLPAGE_HEIGHT } } : {}) }),
      );
    }
    if (o.want.dom) {
      const html = await step('rendered DOM', () => pg.content());
      if (html !== null) out.dom = Buffer.from(html, 'utf8').subarray(0, MAX_DOM_BYTES);
    }
    if (o.want.pdf) out.pdf = await step('PDF print', () => pg.pdf({ format: 'A4', printBackground: true }));
    const got = [out.viewportPng, o.want.fullPage ? out.fullPagePng : 1, o.want.dom ? out.dom : 1, o.want.pdf ? out.pdf : 1];
    out.status = got.every((g) => g !== null) && !navError ? 'captured' : got.some((g) => g !== null && g !== 1) ? 'partial' : 'failed';
    out.error = navError;
  } catch (err) {
    out.error = (err as Error).message.split('\n')[0] ?? 'browser failure';
    out.status = 'failed';
  } finally {
    if (context) await withTimeout(context.close(), 5000, 'closing the context').catch(() => undefined);
    out.elapsedMs = Math.round(performance.now() - t0);
  }
  return out;
}

/** Print an HTML file to PDF (the dossier). */
export async function printHtmlToPdf(executablePath: string, html: string, timeoutMs = 30_000): Promise<Buffer> {
  const browser = await launchBrowser(executablePath, [], timeoutMs);
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: false, serviceWorkers: 'block' });
    await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort('blockedbyclient')));
    const page = await context.newPage();
    await withTimeout(page.setContent(html, { waitUntil: 'load', timeout: timeoutMs }), timeoutMs, 'loading the dossier');
    return await withTimeout(page.pdf({ format: 'A4', printBackground: true, margin: { top: '20mm', bottom: '20mm', left: '18mm', right: '18mm' } }), timeoutMs, 'printing the dossier');
  } finally {
    await withTimeout(browser.close(), 10_000, 'closing the browser').catch(() => undefined);
  }
}
