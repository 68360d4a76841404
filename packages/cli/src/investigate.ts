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

export const INVESTIGATE_HELP = `Usage: govscan investigate <url> --registry FILE [options]

Capture a reported (counterfeit) site into a case bundle CASE-<id>/ and write
the takedown dossier for the telecom authority, the police annex (报案材料),
an XARF v4 report and blocklists. Only GET/HEAD requests are ever sent; no
form is submitted.

  --registry FILE          site registry (名录), YAML or CSV (required): what the site imitates
  --out DIR                where CASE-<id>/ is created (default: govscan-out/cases)
  --case-config FILE       the office's details (addressee, reporting unit, contact, police
                           unit, how the site was found), YAML or JSON
  --tsa URL                RFC 3161 time-stamping authority: time-stamp the manifest
  --tsa-cert PEM           the TSA certificate (or its issuer) to trust when verifying the token
  --resolver HOST:PORT     send every DNS query to this server
  --connect-to H1:P1:H2:P2 connect to H2:P2 for requests to H1:P1 (curl's meaning; repeatable)
  --ca-file PEM            extra trusted CA certificates
  --allow-private-targets  contact the reported site even if it resolves to a private address
  --timeout MS             timeout of each network operation (default: 15000)
  --browser-timeout MS     time limit of each browser capture (default: 30000)
  --max-bytes N            byte limit of each HTTP body (default: 5242880)

Chromium (Debian's chromium) is used for screenshots, the rendered DOM and PDFs
when present; GOVSCAN_CHROMIUM=none (or a path) overrides. Without it the case
is still complete and says what was not captured.
Exit codes: 0 case written, 1 case written but the time-stamp failed, 2 bad input.
`;

export const VERIFY_HELP = `Usage: govscan verify CASE-DIR [--tsa-cert PEM]

Check a case bundle: every file against manifest-sha256.txt, the custody chain
(custody.jsonl), and the RFC 3161 time-stamp token(s) when present. Names the
first file or custody line that fails.
Exit codes: 0 intact, 1 a check failed, 2 not a case bundle.
`;

export const CASE_RECHECK_HELP = `Usage: govscan case recheck CASE-DIR [options]

Capture the case's URL again into CASE-DIR/rechecks/<n>/, append to the custody
chain, re-seal the manifest, and report whether the counterfeit is still live,
changed, or gone.

  --registry FILE          site registry (registered hosts are exempt from the address policy)
  --tsa URL, --tsa-cert PEM, --resolver HOST:PORT, --connect-to H1:P1:H2:P2, --ca-file PEM,
  --allow-private-targets, --timeout MS, --browser-timeout MS   as for investigate
Exit codes: 0 still live or changed, 3 never; gone is also 0 (the state is printed);
2 bad input; 1 the custody chain or time-stamp failed.
`;

/** The flags of the three commands, for main.ts's parseArgs. */
export const investigateOptions = {
  registry: { type: 'string' },
  out: { type: 'string' },
  'case-config': { type: 'string' },
  tsa: { type: 'string' },
  'tsa-cert': { type: 'string' },
  resolver: { type: 'string' },
  'connect-to': { type: 'string', multiple: true },
  'ca-file': { type: 'string' },
  'allow-private-targets': { type: 'boolean' },
  timeout: { type: 'string' },
  'browser-timeout': { type: 'string' },
  'max-bytes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const verifyOptions = { 'tsa-cert': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

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
