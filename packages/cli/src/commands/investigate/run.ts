/**
 * `govscan investigate`, `govscan verify` and `govscan case recheck`: the
 * evidence case of a reported counterfeit site and its takedown dossier.
 * The lead wires these into main.ts; each returns an exit code.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GovscanError, loadRegistry, registeredHosts, toolVersion, UsageError, type Registry } from '@govscan/core';
import {
  Bundle,
  findChromium,
  investigate,
  loadCaseConfig,
  parseReportedUrl,
  printHtmlToPdf,
  recheckCase,
  sealCase,
  verifyCase,
  type CaseData,
  type Custody,
  type InvestigateContext,
  type SealResult,
} from '@govscan/case';
import { createNetClient } from '@govscan/net';
import { renderDossierFiles } from '@govscan/report-dossier';





export interface NetOptions {
  resolver?: string;
  connectTo?: string[];
  caFile?: string;
  allowPrivateTargets?: boolean;
  timeoutMs?: number;
  browserTimeoutMs?: number;
  maxBytes?: number;
  tsa?: string;
  tsaCert?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface InvestigateCommandOptions extends NetOptions {
  url: string;
  registry: string | Registry;
  out?: string;
  caseConfig?: string;
  stdout: NodeJS.WritableStream;
}

export interface InvestigateCommandResult {
  exitCode: number;
  dir: string | null;
  data: CaseData | null;
}

function checkTsa(url: string | undefined): void {
  if (url === undefined) return;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--tsa: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError('--tsa: expected an http(s) URL');
}

async function readPem(file: string | undefined, flag: string): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    const text = await readFile(file, 'utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate');
    return text;
  } catch (err) {
    throw new GovscanError('E_USAGE', `${flag}: cannot use ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { exitCode: 2 });
  }
}

function context(o: NetOptions, registry: Registry, actor: string): InvestigateContext & { close(): Promise<void> } {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const net = createNetClient({
    ...(o.resolver ? { resolver: o.resolver } : {}),
    connectTo: o.connectTo ?? [],
    ...(o.caFile ? { caFile: o.caFile } : {}),
    allowPrivateTargets: o.allowPrivateTargets ?? false,
    registeredHosts: registeredHosts(registry),
    concurrency: 16,
    timeoutMs,
    userAgent: `govscan/${toolVersion} (evidence capture)`,
  });
  return {
    net,
    resolverLabel: net.resolverLabel,
    connectTo: o.connectTo ?? [],
    ...(o.caFile ? { caFile: o.caFile } : {}),
    registry,
    allowPrivateTargets: o.allowPrivateTargets ?? false,
    chromium: findChromium(o.env ?? process.env),
    timeoutMs,
    browserTimeoutMs: o.browserTimeoutMs ?? 30_000,
    maxBytes: o.maxBytes ?? 5 * 1024 * 1024,
    maxRedirects: 10,
    ...(o.signal ? { signal: o.signal } : {}),
    now: o.now ?? (() => new Date()),
    tool: { name: 'govscan', version: toolVersion },
    actor,
    close: () => net.close(),
  };
}

function defaultActor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return `${user}@${os.hostname()}`;
}

function describeSeal(seal: SealResult, stdout: NodeJS.WritableStream): number {
  stdout.write(`sealed: manifest-sha256.txt over ${seal.files} files, SHA-256 ${seal.manifestSha256}\n`);
  if (!seal.timestamp) return 0;
  if ('error' in seal.timestamp) {
    stdout.write(`time-stamp FAILED: ${seal.timestamp.error}\n`);
    return 1;
  }
  stdout.write(`time-stamped: manifest.tsr, ${seal.timestamp.verification.genTime} by ${seal.timestamp.verification.tsa}\n`);
  return 0;
}

async function writeDossier(bundle: Bundle, custody: Custody, data: CaseData, ctx: InvestigateContext, stdout: NodeJS.WritableStream): Promise<void> {
  const wanted = new Set<string>();
  for (const b of data.capture.browser) if (b.files.viewport) wanted.add(b.files.viewport);
  for (const p of data.capture.profiles) if (p.page) wanted.add(p.page);
  const files = new Map<string, Buffer>();
  for (const f of wanted) files.set(f, await bundle.read(f));
  const portal = ctx.registry.sites.find((x) => x.kind === 'portal') ?? ctx.registry.sites[0];
  const officeDomain = portal ? new URL(portal.urls[0]!).hostname.replace(/^www\./, '') : undefined;
  const out = await renderDossierFiles(data, files, (h) => ctx.net.isRegisteredHost(h), officeDomain);
  let html: string | null = null;
  for (const f of out) {
    const w = await bundle.write(f.path, f.content);
    await custody.append('report', w.path, w.sha256);
    if (f.path === 'dossier/dossier.html') html = String(f.content);
  }
  if (ctx.chromium.path && html) {
    try {
      const pdf = await printHtmlToPdf(ctx.chromium.path, html, Math.max(ctx.browserTimeoutMs, 20_000));
      const w = await bundle.write('dossier/dossier.pdf', pdf);
      await custody.append('report', w.path, w.sha256);
    } catch (err) {
      await custody.append('not-captured', 'dossier/dossier.pdf', null);
      stdout.write(`dossier.pdf not written: ${(err as Error).message.split('\n')[0]}\n`);
    }
  } else {
    await custody.append('not-captured', 'dossier/dossier.pdf', null);
    stdout.write(`dossier.pdf not written: Chromium is not available (${ctx.chromium.why}); dossier.html and dossier.docx are\n`);
  }
}

export async function investigateCommand(o: InvestigateCommandOptions): Promise<InvestigateCommandResult> {
  const url = parseReportedUrl(o.url);
  checkTsa(o.tsa);
  const registry = typeof o.registry === 'string' ? await loadRegistry(o.registry) : o.registry;
  const config = await loadCaseConfig(o.caseConfig);
  const tsaCert = await readPem(o.tsaCert, '--tsa-cert');
  const ctx = context(o, registry, config.investigator ?? defaultActor());
  const outDir = path.resolve(o.out ?? 'govscan-out/cases');
  try {
    const r = await investigate(ctx, { url: url.href, outDir, config, tsa: o.tsa ?? null });
    await writeDossier(r.bundle, r.custody, r.data, ctx, o.stdout);
    const seal = await sealCase(r.bundle, r.custody, { tsa: o.tsa ? { url: o.tsa, ...(tsaCert ? { certPem: tsaCert } : {}) } : null, timeoutMs: ctx.timeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
    const d = r.data;
    const s = d.attribution.site;
    o.stdout.write(
      `case ${d.id}: ${r.dir}\n` +
        `  reported: ${d.reported.url} — ${d.capture.liveness}: ${d.capture.livenessZh}\n` +
        `  imitates: ${s ? `${s.code} ${s.name} (${s.urls[0]})${d.attribution.lookalike ? `; ${d.attribution.lookalike.en}` : ''}` : 'no registered site'}\n` +
        (d.capture.cloaking.suspected ? `  cloaking suspected: ${d.capture.cloaking.differences.join('; ')}\n` : '') +
        `  evidence: ${d.evidence.length} files; dossier: dossier/dossier.html, dossier.docx, police-annex, xarf-phishing.json, blocklists\n` +
        d.notCapturedZh.map((x) => `  not captured: ${x}\n`).join(''),
    );
    const code = describeSeal(seal, o.stdout);
    o.stdout.write(`verify with: govscan verify ${r.dir}   (or: cd ${r.dir} && sha256sum -c manifest-sha256.txt)\n`);
    return { exitCode: code, dir: r.dir, data: d };
  } finally {
    await ctx.close();
  }
}

export async function verifyCommand(o: { dir: string; tsaCert?: string; stdout: NodeJS.WritableStream }): Promise<number> {
  const trusted = await readPem(o.tsaCert, '--tsa-cert');
  const r = await verifyCase(o.dir, trusted ? { trustedTsaCertPem: trusted } : {});
  for (const c of r.checks) o.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
  o.stdout.write(r.ok ? `${o.dir}: intact\n` : `${o.dir}: FAILED at ${r.firstFailure}\n`);
  return r.ok ? 0 : 1;
}

export interface CaseRecheckCommandOptions extends NetOptions {
  dir: string;
  registry?: string | Registry;
  stdout: NodeJS.WritableStream;
}

export async function caseRecheckCommand(o: CaseRecheckCommandOptions): Promise<number> {
  checkTsa(o.tsa);
  const registry: Registry = o.registry === undefined ? { file: '(none)', sites: [] } : typeof o.registry === 'string' ? await loadRegistry(o.registry) : o.registry;
  const tsaCert = await readPem(o.tsaCert, '--tsa-cert');
  const before = await verifyCase(o.dir);
  if (!before.ok) {
    o.stdout.write(`${o.dir}: not rechecked, the bundle does not verify: ${before.firstFailure}\n`);
    return 1;
  }
  const ctx = context(o, registry, defaultActor());
  try {
    const r = await recheckCase(ctx, o.dir);
    o.stdout.write(`recheck of ${path.basename(r.dir)}: ${r.liveness === 'live' ? (r.changed ? 'changed' : 'live') : r.liveness === 'down' ? 'gone' : r.liveness} — ${r.summaryZh}\n`);
    const seal = await sealCase(r.bundle, r.custody, { tsa: o.tsa ? { url: o.tsa, ...(tsaCert ? { certPem: tsaCert } : {}) } : null, timeoutMs: ctx.timeoutMs });
    return describeSeal(seal, o.stdout);
  } finally {
    await ctx.close();
  }
}
