/**
 * An investigation: capture a reported URL into a new case bundle, attribute
 * it to the registered site it imitates, capture that genuine site for
 * comparison, render both in Chromium when it is there, and record every
 * step in the custody chain. The dossier is rendered and the bundle sealed by
 * the caller (`govscan investigate`), which owns the report formats.
 */
import { randomBytes } from 'node:crypto';
import netMod from 'node:net';
import path from 'node:path';
import { domainToUnicode } from 'node:url';
import { GovscanError, UsageError, type NetClient, type Registry, type Site } from '@govscan/core';
import { applyConnectTo, parseConnectTo, policyAllows, trustStore, type ConnectToRule } from '@govscan/net';
import { attribute, type Attribution } from '@govscan/identity';
import { launchBrowser, renderPage, type BrowserCapture, type HostMapping } from './browser.js';
import { Bundle, safeName, sha256Hex, type WrittenFile } from './bundle.js';
import { captureChain, captureDns, captureTls, finalExchange, type ChainCapture, type DnsCapture } from './capture.js';
import { Custody, CUSTODY_FILE } from './custody.js';
import { pageFacts, textSimilarity, type PageFacts } from './page.js';
import { PROFILES, type ClientProfile } from './profiles.js';
import type { BrowserResult, CaseCapture, CaseConfig, CaseData, EvidenceFile, ExchangeSummary, Liveness, ProfileResult } from './types.js';
import { WarcWriter } from './warc.js';

export interface InvestigateContext {
  net: NetClient;
  resolverLabel: string;
  connectTo: string[];
  caFile?: string;
  registry: Registry;
  allowPrivateTargets: boolean;
  chromium: { path: string | null; why: string };
  timeoutMs: number;
  browserTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  signal?: AbortSignal;
  now: () => Date;
  tool: { name: string; version: string };
  actor: string;
}

/** Parse and normalise a reported URL (IDN to A-labels); a clear usage error otherwise. */
export function parseReportedUrl(input: string): URL {
  let u: URL;
  const text = input.trim();
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new UsageError(`investigate: ${JSON.stringify(input)} is not a URL (nor a valid internationalised domain name)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`investigate: only http and https URLs can be investigated, not ${u.protocol}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host || (!netMod.isIP(host) && (!/^[a-z0-9.-]+$/.test(host) || host.split('.').some((l) => l.length === 0 || l.length > 63) || host.length > 253))) {
    throw new UsageError(`investigate: ${JSON.stringify(input)} has no valid host name`);
  }
  if (u.username || u.password) throw new UsageError('investigate: a URL with credentials in it is not investigated');
  if (!netMod.isIP(host) && !host.includes('.')) throw new UsageError(`investigate: ${host} is not a fully qualified domain name`);
  return u;
}

export function newCaseId(url: string, at: Date): string {
  const t = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `CASE-${t}-${sha256Hex(`${url}\u001f${at.toISOString()}\u001f${randomBytes(8).toString('hex')}`).slice(0, 6)}`;
}

const PROFILE_ZH: Record<string, string> = { desktop: '桌面', mobile: '手机', genuine: '真实网站' };

function contentTypeOf(h: Record<string, string | string[]>): string | null {
  const v = h['content-type'];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

/** The evidence recorder: writes a file, adds it to the evidence list and to custody. */
class Recorder {
  readonly evidence: EvidenceFile[] = [];
  constructor(
    readonly bundle: Bundle,
    readonly custody: Custody,
  ) {}
  async file(rel: string, data: Uint8Array | string, zh: string, mediaType: string, action: 'capture' | 'derive' | 'report' = 'capture'): Promise<WrittenFile> {
    const w = await this.bundle.write(rel, data);
    await this.custody.append(action, w.path, w.sha256);
    this.evidence.push({ path: w.path, sha256: w.sha256, bytes: w.bytes, at: w.at, zh, mediaType });
    return w;
  }
}

interface HttpStage {
  dns: DnsCapture[];
  addresses: string[];
  chains: ChainCapture[];
  pages: Map<string, { facts: PageFacts; path: string; sha256: string }>;
  tls: CaseCapture['tls'];
  liveness: Liveness;
  livenessZh: string;
  policy: { refused: boolean; message: string | null };
  exchanges: ExchangeSummary[];
  cloaking: { suspected: boolean; differences: string[] };
  profiles: ProfileResult[];
}

function summarise(c: ChainCapture): ExchangeSummary[] {
  return c.exchanges.map((e) => {
    const server = e.responseHeaders.server;
    return { profile: e.profile, hop: e.hop, url: e.url, at: e.at, status: e.status, location: e.location, address: e.address, contentType: contentTypeOf(e.responseHeaders), server: (Array.isArray(server) ? server[0] : server) ?? null, bodySha256: e.bodySha256, bodyBytes: e.bodyBytes, truncated: e.truncated, error: e.error };
  });
}

async function stageHttp(ctx: InvestigateContext, rec: Recorder, prefix: string, url: URL, profiles: readonly ClientProfile[], label: string): Promise<HttpStage> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const common = { timeoutMs: ctx.timeoutMs, now: ctx.now, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const dns = await captureDns(ctx.net, host, common);
  await rec.file(`${prefix}dns.json`, `${JSON.stringify({ host, resolver: ctx.resolverLabel, records: dns }, null, 2)}\n`, `${label}的DNS解析记录（A、AAAA、CNAME、NS、MX、SOA、TXT；解析服务器 ${ctx.resolverLabel}）`, 'application/json');
  const addresses = netMod.isIP(host) ? [host] : dns.filter((d) => d.name === host && (d.type === 'A' || d.type === 'AAAA') && d.status === 'ok').flatMap((d) => d.answers.filter((a) => a.type === d.type).map((a) => a.data));

  let tlsCap: CaseCapture['tls'] = null;
  if (url.protocol === 'https:') {
    const t = await captureTls(ctx.net, host, Number(url.port) || 443, { ...common, ca: trustStore(ctx.caFile) });
    if (t.pem) await rec.file(`${prefix}tls/chain.pem`, t.pem, `${label}的TLS证书链（PEM，服务器发送的原样）`, 'application/x-pem-file');
    tlsCap = { host, address: t.address, protocol: t.protocol, authorized: t.authorized, authorizationError: t.authorizationError, chain: t.chain, error: t.error };
    await rec.file(`${prefix}tls/summary.json`, `${JSON.stringify(tlsCap, null, 2)}\n`, `${label}的TLS握手与证书摘要`, 'application/json');
  }

  const warc = await WarcWriter.create(`${prefix.replace(/\/$/, '').replace(/\//g, '-') || 'capture'}.warc.gz`, { software: `${ctx.tool.name}/${ctx.tool.version}`, format: 'WARC File Format 1.1', isPartOf: label, description: `capture of ${url.href}` });
  const chains: ChainCapture[] = [];
  for (const p of profiles) {
    const chain = await captureChain(ctx.net, url.href, p, { maxRedirects: ctx.maxRedirects, maxBytes: ctx.maxBytes, timeoutMs: ctx.timeoutMs, now: ctx.now, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    chains.push(chain);
    for (const e of chain.exchanges) {
      await warc.add({ url: e.url, at: e.at, method: 'GET', requestHeaders: e.requestHeaders, status: e.status, responseHeaders: e.responseHeaders, body: e.body, truncated: e.truncated, address: e.address, error: e.error, note: { 'WARC-Govscan-Profile': p.id, 'WARC-Govscan-Hop': String(e.hop) } });
    }
    if (chain.error && chain.exchanges.at(-1)?.error !== chain.error) {
      // The chain ended by govscan's own limit (loop, too many redirects): say so in the WARC too.
      await warc.add({ url: chain.finalUrl, at: ctx.now().toISOString(), method: 'GET', requestHeaders: [], status: null, responseHeaders: {}, body: new Uint8Array(), truncated: false, address: null, error: chain.error, note: { 'WARC-Govscan-Profile': p.id, 'WARC-Govscan-Note': 'not requested: the redirect chain was stopped' } });
    }
  }
  await rec.file(`${prefix}http/capture.warc.gz`, warc.bytes(), `${label}的全部HTTP请求与响应（WARC 1.1，含重定向，${profiles.map((p) => PROFILE_ZH[p.id]).join('、')}两种客户端）`, 'application/warc');

  const pages = new Map<string, { facts: PageFacts; path: string; sha256: string }>();
  const profileResults: ProfileResult[] = [];
  for (const chain of chains) {
    const p = PROFILES.find((x) => x.id === chain.profile)!;
    const last = finalExchange(chain);
    let facts: PageFacts | null = null;
    let pagePath: string | null = null;
    if (last && last.body.length > 0) {
      const ct = contentTypeOf(last.responseHeaders);
      const ext = /html|xml/i.test(ct ?? 'text/html') ? 'html' : 'bin';
      const w = await rec.file(`${prefix}pages/${safeName(p.id)}.${ext}`, last.body, `${label}（${PROFILE_ZH[p.id]}客户端）最终页面的原始字节${last.truncated ? `（超过 ${ctx.maxBytes} 字节，已截断）` : ''}`, ct ?? 'application/octet-stream');
      pagePath = w.path;
      facts = pageFacts(last.body, ct, last.url);
      pages.set(p.id, { facts, path: w.path, sha256: w.sha256 });
    }
    profileResults.push({ profile: p.id, label: p.label, userAgent: p.userAgent, finalUrl: chain.finalUrl, status: chain.status, error: chain.error, title: facts?.title ?? null, forms: facts?.forms ?? [], tokens: facts?.tokens ?? null, bodySha256: last?.bodySha256 ?? null, page: pagePath });
  }

  // Liveness: refused by policy, down (no answer, NXDOMAIN, an error status), or live.
  const errs = chains.map((c) => c.error).filter((e) => e !== null);
  const policy = errs.find((e) => e.code === 'EPOLICY');
  let liveness: Liveness;
  let livenessZh: string;
  const ok = chains.some((c) => c.status !== null && c.status < 400 && finalExchange(c) !== null);
  if (policy) {
    liveness = 'refused';
    livenessZh = `未访问：${host} 不是名录中的网站，且解析到非公网地址（地址策略拒绝；如需访问请使用 --allow-private-targets）`;
  } else if (ok) {
    liveness = 'live';
    livenessZh = `仍可访问（HTTP ${chains.map((c) => c.status ?? '—').join(' / ')}）`;
  } else if (chains.every((c) => c.status === null && c.error && c.error.status === 'unknown')) {
    liveness = 'unknown';
    livenessZh = `无法确定：${errs[0]?.code ?? ''} ${errs[0]?.message ?? ''}`.trim();
  } else {
    liveness = 'down';
    const e = errs[0];
    livenessZh = e ? `无法访问：${e.code}（${e.message}）` : `无法访问：HTTP ${chains.map((c) => c.status ?? '—').join(' / ')}`;
  }

  // Cloaking: any difference between the profiles' outcomes.
  const differences: string[] = [];
  const [a, b] = profileResults;
  if (a && b) {
    if (a.status !== b.status) differences.push(`状态码不同：${PROFILE_ZH[a.profile]} ${a.status ?? a.error?.code}，${PROFILE_ZH[b.profile]} ${b.status ?? b.error?.code}`);
    if (a.finalUrl !== b.finalUrl) differences.push(`最终地址不同：${PROFILE_ZH[a.profile]} ${a.finalUrl}，${PROFILE_ZH[b.profile]} ${b.finalUrl}`);
    if (a.title !== b.title) differences.push(`页面标题不同：${PROFILE_ZH[a.profile]}“${a.title ?? ''}”，${PROFILE_ZH[b.profile]}“${b.title ?? ''}”`);
    const pw = (r: ProfileResult): boolean => r.forms.some((f) => f.collectsPassword);
    if (pw(a) !== pw(b)) differences.push(`只有${PROFILE_ZH[pw(a) ? a.profile : b.profile]}客户端看到收集密码的表单`);
    const ta = pages.get(a.profile)?.facts.text ?? '';
    const tb = pages.get(b.profile)?.facts.text ?? '';
    if (a.bodySha256 !== b.bodySha256 && (ta || tb)) {
      const sim = textSimilarity(ta, tb);
      if (sim < 0.9) differences.push(`页面内容不同（文字相似度 ${(sim * 100).toFixed(0)}%）`);
    }
  }
  return {
    dns,
    addresses,
    chains,
    pages,
    tls: tlsCap,
    liveness,
    livenessZh,
    policy: { refused: !!policy, message: policy?.message ?? null },
    exchanges: chains.flatMap(summarise),
    cloaking: { suspected: differences.length > 0, differences },
    profiles: profileResults,
  };
}

/** Hosts the browser may reach: resolved through govscan's resolver, the address policy and --connect-to applied. */
async function hostMappings(ctx: InvestigateContext, hosts: Iterable<string>, extraPorts: ReadonlyMap<string, number[]> = new Map()): Promise<{ mappings: HostMapping[]; allowed: Set<string> }> {
  const rules: ConnectToRule[] = ctx.connectTo.map(parseConnectTo);
  const mappings: HostMapping[] = [];
  const allowed = new Set<string>();
  for (const host of [...new Set(hosts)].slice(0, 24)) {
    const bare = host.replace(/^\[|\]$/g, '');
    let address: string | null = netMod.isIP(bare) ? bare : null;
    if (!address) {
      const r = await ctx.net.resolve(host, 'A', { timeoutMs: Math.min(ctx.timeoutMs, 5000), ...(ctx.signal ? { signal: ctx.signal } : {}) });
      address = r.status === 'ok' ? (r.answers.find((x) => x.type === 'A')?.data ?? null) : null;
    }
    if (!address || !policyAllows(address, ctx.net.isRegisteredHost(host), ctx.allowPrivateTargets).allowed) continue;
    allowed.add(host);
    // The standard ports, and any other port a page to capture names (http://host:8080/).
    for (const port of new Set([80, 443, ...(extraPorts.get(host) ?? [])])) {
      const t = applyConnectTo(rules, bare, port);
      const targetAddress = netMod.isIP(t.host) ? t.host : t.host === bare ? address : null;
      if (targetAddress) mappings.push({ host, port, address: targetAddress, targetPort: t.port });
    }
  }
  return { mappings, allowed };
}

export interface BrowserJob {
  prefix: string;
  url: string;
  profile: ClientProfile;
  as: 'desktop' | 'mobile' | 'genuine';
  label: string;
  want: { fullPage: boolean; dom: boolean; pdf: boolean };
}

async function stageBrowser(ctx: InvestigateContext, rec: Recorder, jobs: BrowserJob[], hosts: Set<string>, notCaptured: string[]): Promise<BrowserResult[]> {
  const results: BrowserResult[] = [];
  const none = (reason: string): BrowserResult[] => jobs.map((j) => ({ profile: j.as, status: 'not-captured', reason, finalUrl: null, title: null, files: {}, blockedRequests: 0, dialogs: [] }));
  if (jobs.length === 0) return results;
  if (!ctx.chromium.path) {
    notCaptured.push(`未截取页面截图、渲染后的DOM和PDF打印件：本机没有可用的 Chromium（${ctx.chromium.why}）；HTTP交换、DNS和TLS证据不受影响`);
    for (const r of none(`Chromium 不可用（${ctx.chromium.why}）`)) {
      results.push(r);
      await rec.custody.append('not-captured', `browser:${r.profile}`, null);
    }
    return results;
  }
  const ports = new Map<string, number[]>();
  for (const j of jobs) {
    const u = new URL(j.url);
    if (u.port) ports.set(u.hostname, [...(ports.get(u.hostname) ?? []), Number(u.port)]);
  }
  const { mappings, allowed } = await hostMappings(ctx, hosts, ports);
  let browser;
  try {
    browser = await launchBrowser(ctx.chromium.path, mappings, Math.min(ctx.browserTimeoutMs, 30_000));
  } catch (err) {
    const why = `Chromium 无法启动：${(err as Error).message.split('\n')[0]}`;
    notCaptured.push(`未截取页面截图、渲染后的DOM和PDF打印件：${why}`);
    for (const r of none(why)) {
      results.push(r);
      await rec.custody.append('not-captured', `browser:${r.profile}`, null);
    }
    return results;
  }
  try {
    for (const j of jobs) {
      const cap: BrowserCapture = await renderPage(browser, { url: j.url, profile: j.profile, allowedHosts: allowed, timeoutMs: ctx.browserTimeoutMs, want: j.want });
      const base = `${j.prefix}browser/${safeName(j.as)}`;
      const files: BrowserResult['files'] = {};
      const zh = `${j.label}（${PROFILE_ZH[j.profile.id]}浏览器渲染）`;
      if (cap.viewportPng) files.viewport = (await rec.file(`${base}-viewport.png`, cap.viewportPng, `${zh}首屏截图`, 'image/png')).path;
      if (cap.fullPagePng) files.fullPage = (await rec.file(`${base}-fullpage.png`, cap.fullPagePng, `${zh}整页截图`, 'image/png')).path;
      if (cap.dom) files.dom = (await rec.file(`${base}-dom.html`, cap.dom, `${zh}渲染后的DOM`, 'text/html')).path;
      if (cap.pdf) files.pdf = (await rec.file(`${base}-print.pdf`, cap.pdf, `${zh}PDF打印件`, 'application/pdf')).path;
      files.requests = (await rec.file(`${base}-requests.json`, `${JSON.stringify({ finalUrl: cap.finalUrl, requests: cap.requests, dialogs: cap.dialogs, popupsClosed: cap.popupsClosed, error: cap.error }, null, 2)}\n`, `${zh}期间发出的请求（含被拦截的）`, 'application/json')).path;
      if (cap.status !== 'captured') {
        notCaptured.push(`${zh}${cap.status === 'partial' ? '只截取了部分' : '未能截取'}：${cap.error ?? '原因不明'}（时限 ${ctx.browserTimeoutMs} ms）`);
        await rec.custody.append('not-captured', `browser:${j.as}`, null);
      }
      results.push({ profile: j.as, status: cap.status, reason: cap.error, finalUrl: cap.finalUrl, title: cap.title, files, blockedRequests: cap.requests.filter((r) => r.outcome !== 'allowed').length, dialogs: cap.dialogs });
    }
  } finally {
    await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10_000))]).catch(() => undefined);
  }
  return results;
}

function harm(stage: HttpStage, attribution: Attribution): string[] {
  const out: string[] = [];
  for (const p of stage.profiles) {
    for (const f of p.forms) {
      if (f.fields.length === 0) continue;
      out.push(`${PROFILE_ZH[p.profile]}客户端看到的页面含有收集信息的表单（${f.collectsPassword ? '含密码输入框，' : ''}字段：${f.fields.join('、')}；提交地址：${f.action ?? '由脚本提交'}）`);
    }
  }
  if (attribution.site) {
    const copied = attribution.tokens.filter((t) => t.matches && t.token !== 'title');
    if (copied.length) out.push(`冒用“${attribution.site.name}”的身份标识：${copied.map((t) => t.value).join('、')}`);
    if (attribution.icpStatus === 'stolen') out.push('盗用真实网站的ICP备案号');
    if (attribution.psbStatus === 'stolen') out.push('盗用真实网站的公安机关备案号');
  }
  if (stage.cloaking.suspected) out.push('对不同客户端显示不同内容，疑似规避检查（cloaking）');
  return [...new Set(out)];
}

export interface InvestigateResult {
  dir: string;
  bundle: Bundle;
  custody: Custody;
  data: CaseData;
}

export interface InvestigateInput {
  url: string;
  outDir: string;
  config: CaseConfig;
  tsa: string | null;
}

/** Capture the reported URL into a new bundle under outDir. Never sends anything but GET/HEAD. */
export async function investigate(ctx: InvestigateContext, input: InvestigateInput): Promise<InvestigateResult> {
  const url = parseReportedUrl(input.url);
  const created = ctx.now();
  const id = newCaseId(url.href, created);
  const bundle = new Bundle(path.join(input.outDir, id), ctx.now);
  await bundle.create();
  const custody = new Custody(bundle.resolve(CUSTODY_FILE), ctx.actor, ctx.tool, ctx.now);
  await custody.append('open', url.href, sha256Hex(url.href));
  const rec = new Recorder(bundle, custody);
  const notCaptured: string[] = [];
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');

  const stage = await stageHttp(ctx, rec, '', url, PROFILES, '被举报网站');
  if (stage.policy.refused) {
    await custody.append('refused', url.href, null);
    notCaptured.push(`被举报网站未被访问：${stage.policy.message}`);
  }

  // Attribution from the tokens every profile saw (cloaking shows the real page to one of them).
  const union = (k: 'siteCodes' | 'icp' | 'psb' | 'conac' | 'sponsor'): string[] => [...new Set([...stage.pages.values()].flatMap((p) => p.facts.tokens[k]))];
  const first = [...stage.pages.values()][0]?.facts;
  const tokens = { siteCodes: union('siteCodes'), icp: union('icp'), psb: union('psb'), conac: union('conac'), sponsor: union('sponsor'), siteName: [...stage.pages.values()].map((p) => p.facts.tokens.siteName).find((x) => x) ?? null, siteDomain: first?.tokens.siteDomain ?? null };
  const title = [...stage.pages.values()].map((p) => p.facts.title).find((t) => t) ?? null;
  let attribution = attribute(host, tokens, title, ctx.registry);

  // The genuine site, for side-by-side comparison.
  let genuine: CaseData['genuine'] = null;
  let genuineStage: HttpStage | null = null;
  const genuineSite: Site | undefined = attribution.site ? ctx.registry.sites.find((s) => s.code === attribution.site!.code) : undefined;
  if (genuineSite) {
    const gUrl = new URL(genuineSite.urls[0]!);
    genuineStage = await stageHttp(ctx, rec, 'genuine/', gUrl, PROFILES.filter((p) => p.id === 'desktop'), `真实网站（${genuineSite.name}）`);
    const gPage = genuineStage.pages.get('desktop');
    if (gPage) attribution = attribute(host, tokens, title, ctx.registry, new Map([[genuineSite.code, gPage.facts.tokens]]));
    const sims = [...stage.pages.values()].map((p) => (gPage ? textSimilarity(p.facts.text, gPage.facts.text) : 0));
    genuine = { url: gUrl.href, status: genuineStage.chains[0]?.status ?? null, error: genuineStage.chains[0]?.error ?? null, title: gPage?.facts.title ?? null, tokens: gPage?.facts.tokens ?? null, similarity: gPage && sims.length ? Math.max(...sims) : null, screenshot: null, page: gPage?.path ?? null };
  }
  await rec.file('attribution.json', `${JSON.stringify(attribution, null, 2)}\n`, '归属分析：被仿冒的登记网站、理由（复制的身份标识、域名变形方式）', 'application/json', 'derive');

  // Browser: counterfeit with both profiles (unless refused or nothing answered), the genuine site on the desktop.
  const jobs: BrowserJob[] = [];
  const hosts = new Set<string>();
  if (!stage.policy.refused && stage.chains.some((c) => c.status !== null)) {
    for (const p of PROFILES) jobs.push({ prefix: '', url: url.href, profile: p, as: p.id, label: '被举报网站', want: { fullPage: true, dom: true, pdf: true } });
    hosts.add(host);
    for (const c of stage.chains) for (const e of c.exchanges) hosts.add(new URL(e.url).hostname);
    for (const p of stage.pages.values()) for (const h of p.facts.resourceHosts.slice(0, 10)) hosts.add(h);
  } else {
    notCaptured.push(stage.policy.refused ? '未在浏览器中渲染被举报网站：地址策略拒绝访问' : `未在浏览器中渲染被举报网站：网站无响应（${stage.livenessZh}）`);
    await custody.append('not-captured', 'browser:counterfeit', null);
  }
  if (genuineSite && genuineStage && genuineStage.chains.some((c) => c.status !== null)) {
    jobs.push({ prefix: 'genuine/', url: genuineSite.urls[0]!, profile: PROFILES[0]!, as: 'genuine', label: `真实网站（${genuineSite.name}）`, want: { fullPage: true, dom: false, pdf: false } });
    hosts.add(new URL(genuineSite.urls[0]!).hostname);
    for (const c of genuineStage.chains) for (const e of c.exchanges) hosts.add(new URL(e.url).hostname);
  }
  const browser = await stageBrowser(ctx, rec, jobs, hosts, notCaptured);
  if (genuine) genuine.screenshot = browser.find((b) => b.profile === 'genuine')?.files.viewport ?? null;

  const data: CaseData = {
    schema: 'govscan-case-v1',
    id,
    createdAt: created.toISOString(),
    tool: ctx.tool,
    reported: { url: url.href, host, unicodeHost: domainToUnicode(host) || host, registrableHint: host.split('.').slice(-2).join('.') },
    config: input.config,
    options: { resolver: ctx.resolverLabel, allowPrivateTargets: ctx.allowPrivateTargets, chromium: ctx.chromium.path ?? `none (${ctx.chromium.why})`, tsa: input.tsa, timeoutMs: ctx.timeoutMs, maxBytes: ctx.maxBytes, maxRedirects: ctx.maxRedirects },
    capture: { at: created.toISOString(), liveness: stage.liveness, livenessZh: stage.livenessZh, dns: stage.dns, addresses: stage.addresses, tls: stage.tls, exchanges: stage.exchanges, profiles: stage.profiles, cloaking: stage.cloaking, browser, policy: stage.policy },
    attribution,
    genuine,
    harmZh: harm(stage, attribution),
    notCapturedZh: notCaptured,
    evidence: rec.evidence,
    rechecks: [],
  };
  await rec.file('case.json', `${JSON.stringify(data, null, 2)}\n`, '案件记录（全部事实，机器可读）', 'application/json', 'derive');
  return { dir: bundle.root, bundle, custody, data };
}

export interface RecheckResult {
  dir: string;
  liveness: Liveness;
  changed: boolean;
  summaryZh: string;
}

/** Capture the case's URL again into `rechecks/<n>/`, compare with the first capture, append to custody. */
export async function recheckCase(ctx: InvestigateContext, caseDir: string): Promise<RecheckResult & { bundle: Bundle; custody: Custody }> {
  const bundle = new Bundle(caseDir, ctx.now);
  let data: CaseData;
  try {
    data = JSON.parse((await bundle.read('case.json')).toString('utf8')) as CaseData;
  } catch {
    throw new GovscanError('E_CASE_DIR', `${caseDir} is not a case bundle (no readable case.json)`, { exitCode: 2 });
  }
  let custody: Custody;
  try {
    custody = await Custody.resume(bundle.resolve(CUSTODY_FILE), ctx.actor, ctx.tool, ctx.now);
  } catch (err) {
    throw new GovscanError('E_CUSTODY', `${caseDir}: ${(err as Error).message}; run govscan verify`, { exitCode: 1 });
  }
  const { files } = await bundle.list();
  const n = 1 + files.filter((f) => /^rechecks\/\d+\/recheck\.json$/.test(f)).length;
  const prefix = `rechecks/${String(n).padStart(3, '0')}/`;
  await custody.append('recheck', data.reported.url, null);
  const rec = new Recorder(bundle, custody);
  const stage = await stageHttp(ctx, rec, prefix, new URL(data.reported.url), PROFILES, `第${n}次复查时的被举报网站`);
  const notCaptured: string[] = [];
  if (stage.policy.refused) await custody.append('refused', data.reported.url, null);
  const browser = stage.liveness === 'live' ? await stageBrowser(ctx, rec, PROFILES.map((p) => ({ prefix, url: data.reported.url, profile: p, as: p.id, label: `第${n}次复查时的被举报网站`, want: { fullPage: false, dom: false, pdf: false } })), new Set([data.reported.host, ...stage.chains.flatMap((c) => c.exchanges.map((e) => new URL(e.url).hostname))]), notCaptured) : [];
  const before = new Map(data.capture.profiles.map((p) => [p.profile, p.bodySha256]));
  const changedProfiles = stage.profiles.filter((p) => before.get(p.profile) !== p.bodySha256).map((p) => PROFILE_ZH[p.profile]);
  const changed = changedProfiles.length > 0;
  const state = stage.liveness === 'live' ? (changed ? 'changed' : 'live') : stage.liveness === 'down' ? 'gone' : stage.liveness;
  const summaryZh = stage.liveness === 'live' ? (changed ? `仍可访问，内容已变化（${changedProfiles.join('、')}客户端）` : '仍可访问，内容与首次取证相同') : stage.liveness === 'down' ? `已无法访问（${stage.livenessZh}）` : stage.livenessZh;
  await rec.file(
    `${prefix}recheck.json`,
    `${JSON.stringify({ n, at: ctx.now().toISOString(), url: data.reported.url, state, liveness: stage.liveness, changed, summaryZh, livenessZh: stage.livenessZh, profiles: stage.profiles, exchanges: stage.exchanges, dns: stage.dns, tls: stage.tls, browser, notCapturedZh: notCaptured, firstCapture: { at: data.capture.at, bodies: Object.fromEntries(before) } }, null, 2)}\n`,
    `第${n}次复查结果：${summaryZh}`,
    'application/json',
    'derive',
  );
  return { dir: bundle.root, liveness: stage.liveness, changed, summaryZh, bundle, custody };
}
