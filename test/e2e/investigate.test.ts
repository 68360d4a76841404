import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import { loadRegistry, type Registry } from '@govscan/core';
import { findChromium, type CaseData } from '@govscan/case';
import { xarfSchemaErrors } from '@govscan/report-dossier';
import { startTsa, startWorld, type Tsa, type World } from '@govscan/testbed';
import { demoRegistryPath, demoScenario } from 'govscan';
import { caseRecheckCommand, investigateCommand, verifyCommand } from 'govscan/investigate';
import { counterfeitHosts, COUNTERFEIT_HOST, CLOAKING_HOST } from 'govscan/demo/investigate';
import { tempDir } from '../helpers/cli.js';

function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(c, _e, cb) {
      chunks.push(Buffer.from(c));
      cb();
    },
  });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

const chromium = findChromium();
const hasChromium = chromium.path !== null;

describe('govscan investigate: the seed counterfeit, end to end', () => {
  let world: World;
  let tsa: Tsa;
  let registry: Registry;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let caseDir: string;
  let tsaCertFile: string;
  const net = () => ({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile });

  beforeAll(async () => {
    registry = await loadRegistry(demoRegistryPath);
    const scenario = demoScenario(registry);
    scenario.hosts.push(...counterfeitHosts(registry));
    world = await startWorld(scenario);
    tsa = await startTsa();
    tmp = await tempDir();
    tsaCertFile = path.join(tmp.dir, 'tsa.pem');
    await writeFile(tsaCertFile, tsa.certPem);
  });

  afterAll(async () => {
    await tsa?.stop();
    await world?.stop();
    await tmp?.cleanup();
  });

  it('investigates www.yaan.gov.cn.com: bundle, WARC, attribution, dossier, time-stamp', { timeout: 120_000 }, async () => {
    const stdout = sink();
    const r = await investigateCommand({ url: `http://${COUNTERFEIT_HOST}/`, registry, ...net(), allowPrivateTargets: true, out: path.join(tmp.dir, 'cases'), tsa: tsa.url, tsaCert: tsaCertFile, browserTimeoutMs: 25_000, timeoutMs: 5000, stdout });
    expect(r.exitCode, stdout.text()).toBe(0);
    caseDir = r.dir!;
    expect(path.basename(caseDir)).toMatch(/^CASE-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const must = ['case.json', 'custody.jsonl', 'manifest-sha256.txt', 'manifest.tsr', 'dns.json', 'http/capture.warc.gz', 'pages/desktop.html', 'pages/mobile.html', 'attribution.json', 'genuine/http/capture.warc.gz', 'genuine/tls/chain.pem', 'dossier/dossier.html', 'dossier/dossier.docx', 'dossier/police-annex.html', 'dossier/police-annex.docx', 'dossier/xarf-phishing.json', 'dossier/blocklist.rpz.zone', 'dossier/blocklist.hosts', 'dossier/blocklist.domains.txt'];
    if (hasChromium) must.push('browser/desktop-viewport.png', 'browser/desktop-fullpage.png', 'browser/desktop-dom.html', 'browser/desktop-print.pdf', 'browser/mobile-viewport.png', 'genuine/browser/genuine-viewport.png', 'dossier/dossier.pdf');
    for (const f of must) expect(existsSync(path.join(caseDir, f)), f).toBe(true);

    const data = JSON.parse(await readFile(path.join(caseDir, 'case.json'), 'utf8')) as CaseData;
    expect(data.capture.liveness).toBe('live');
    expect(data.attribution.site?.code).toBe('5118000022');
    expect(data.attribution.lookalike?.kind).toBe('suffix-appended');
    expect(data.attribution.icpStatus).toBe('stolen');
    expect(data.attribution.psbStatus).toBe('stolen');
    expect(data.capture.cloaking.suspected).toBe(false);
    expect(data.harmZh.join()).toContain('密码');
    expect(data.genuine?.similarity ?? 0).toBeGreaterThan(0.5);
    // DNS answers with the resolver and UTC times.
    expect(data.capture.dns.find((d) => d.name === COUNTERFEIT_HOST && d.type === 'A')).toMatchObject({ status: 'ok', resolver: world.resolver });
    expect(data.capture.dns.every((d) => d.at.endsWith('Z'))).toBe(true);

    // The WARC holds request and response records of both profiles.
    const parser = new WARCParser(createReadStream(path.join(caseDir, 'http/capture.warc.gz')));
    const records: { type: string | undefined; profile: string | null; uri: string | undefined }[] = [];
    for await (const rec of parser) records.push({ type: rec.warcType, profile: rec.warcHeader('WARC-Govscan-Profile') ?? null, uri: rec.warcTargetURI ?? undefined });
    expect(records[0]?.type).toBe('warcinfo');
    expect(records.filter((x) => x.type === 'response').map((x) => x.profile).sort()).toEqual(['desktop', 'mobile']);
    expect(records.filter((x) => x.type === 'request')).toHaveLength(2);

    // sha256sum -c with the real binary.
    const sum = spawnSync('sha256sum', ['-c', '--strict', 'manifest-sha256.txt'], { cwd: caseDir, encoding: 'utf8', timeout: 20_000 });
    expect(sum.status, sum.stdout + sum.stderr).toBe(0);
    expect(sum.stdout).toContain('dossier/dossier.html: OK');

    // govscan verify: manifest, custody and the time-stamp.
    const v = sink();
    expect(await verifyCommand({ dir: caseDir, tsaCert: tsaCertFile, stdout: v })).toBe(0);
    expect(v.text()).toMatch(/ok {3}timestamp: manifest.tsr: RFC 3161 token/);

    // The dossier names the genuine site's code and the counterfeit's domain; times in UTC+8.
    const html = await readFile(path.join(caseDir, 'dossier/dossier.html'), 'utf8');
    expect(html).toContain('5118000022');
    expect(html).toContain(COUNTERFEIT_HOST);
    expect(html).toContain('四川省通信管理局');
    expect(html).toContain('（UTC+8）');
    expect((await readFile(path.join(caseDir, 'dossier/dossier.docx'))).subarray(0, 2).toString()).toBe('PK');
    expect(await readFile(path.join(caseDir, 'dossier/police-annex.html'), 'utf8')).toContain('报案材料');

    // XARF v4 validates; blocklists name the counterfeit and never the genuine host.
    const xarf = JSON.parse(await readFile(path.join(caseDir, 'dossier/xarf-phishing.json'), 'utf8')) as Record<string, unknown>;
    expect(xarfSchemaErrors(xarf)).toEqual([]);
    expect(xarf).toMatchObject({ category: 'content', type: 'phishing', url: `http://${COUNTERFEIT_HOST}/`, cloned_site: 'https://www.yaan.gov.cn/' });
    expect(await readFile(path.join(caseDir, 'dossier/blocklist.domains.txt'), 'utf8')).toBe(`${COUNTERFEIT_HOST}\n`);
    expect(await readFile(path.join(caseDir, 'dossier/blocklist.rpz.zone'), 'utf8')).toContain(`*.${COUNTERFEIT_HOST} CNAME .`);
    if (hasChromium) expect((await readFile(path.join(caseDir, 'dossier/dossier.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');

    // No request other than GET reached the counterfeit (no form was submitted).
    const toCounterfeit = world.requests.filter((q) => q.host === COUNTERFEIT_HOST);
    expect(toCounterfeit.length).toBeGreaterThan(0);
    expect(toCounterfeit.every((q) => q.method === 'GET' || q.method === 'HEAD')).toBe(true);
    expect(toCounterfeit.some((q) => q.path.startsWith('/collect.php'))).toBe(false);
  });

  it('openssl ts -verify accepts the time-stamp token over the manifest', (ctx) => {
    if (!existsSync('/usr/bin/openssl') || !caseDir) ctx.skip();
    const r = spawnSync('openssl', ['ts', '-verify', '-data', 'manifest-sha256.txt', '-in', 'manifest.tsr', '-CAfile', tsaCertFile], { cwd: caseDir, encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout + r.stderr).toContain('Verification: OK');
  });

  it('changing one byte of one file makes verify fail naming that file', async () => {
    const copy = path.join(tmp.dir, 'tampered-byte');
    await cp(caseDir, copy, { recursive: true });
    const f = path.join(copy, 'pages/desktop.html');
    const bytes = await readFile(f);
    bytes[100] = bytes[100]! ^ 0x01;
    await writeFile(f, bytes);
    const out = sink();
    expect(await verifyCommand({ dir: copy, stdout: out })).toBe(1);
    expect(out.text()).toContain('FAILED at pages/desktop.html: SHA-256 mismatch');
    const sum = spawnSync('sha256sum', ['-c', '--quiet', 'manifest-sha256.txt'], { cwd: copy, encoding: 'utf8', timeout: 20_000 });
    expect(sum.status).not.toBe(0);
  });

  it('a tampered custody line is named; a file added to the bundle is named', async () => {
    const copy = path.join(tmp.dir, 'tampered-custody');
    await cp(caseDir, copy, { recursive: true });
    const file = path.join(copy, 'custody.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[2] = lines[2]!.replace(/"actor":"[^"]*"/, '"actor":"someone else"');
    await writeFile(file, lines.join('\n'));
    const out = sink();
    expect(await verifyCommand({ dir: copy, stdout: out })).toBe(1);
    expect(out.text()).toContain('FAILED at custody.jsonl:4: prev does not match');

    const copy2 = path.join(tmp.dir, 'extra-file');
    await cp(caseDir, copy2, { recursive: true });
    await writeFile(path.join(copy2, 'planted.txt'), 'x');
    const out2 = sink();
    expect(await verifyCommand({ dir: copy2, stdout: out2 })).toBe(1);
    expect(out2.text()).toContain('FAILED at planted.txt: not listed in the manifest');

    // names govscan never writes — a dotfile, a Chinese name — fail the check the same way (exit 1), not the tool (exit 3)
    for (const name of ['.hidden', '证据补充.txt']) {
      const copy3 = path.join(tmp.dir, `extra-${name.length}`);
      await cp(caseDir, copy3, { recursive: true });
      await writeFile(path.join(copy3, name), 'x');
      const out3 = sink();
      expect(await verifyCommand({ dir: copy3, stdout: out3 })).toBe(1);
      expect(out3.text()).toContain(`FAILED at ${name}: not listed in the manifest`);
    }
  });

  it('verify exits 2 on a folder that is not a case', async () => {
    await expect(verifyCommand({ dir: tmp.dir, stdout: sink() })).rejects.toMatchObject({ exitCode: 2 });
  });

  it('the cloaking variant without Chromium: a complete case that says what was not captured', { timeout: 60_000 }, async () => {
    const stdout = sink();
    const r = await investigateCommand({ url: `http://${CLOAKING_HOST}/`, registry, ...net(), allowPrivateTargets: true, out: path.join(tmp.dir, 'cases'), timeoutMs: 5000, env: { GOVSCAN_CHROMIUM: 'none' }, stdout });
    expect(r.exitCode, stdout.text()).toBe(0);
    const data = r.data!;
    expect(data.capture.cloaking.suspected).toBe(true);
    expect(data.capture.cloaking.differences.join()).toContain('页面标题不同');
    expect(data.attribution.site?.code).toBe('5118000022');
    expect(data.attribution.lookalike?.kind).toBe('dot-to-hyphen');
    expect(data.capture.browser.every((b) => b.status === 'not-captured')).toBe(true);
    expect(data.notCapturedZh.join()).toContain('Chromium');
    expect(existsSync(path.join(r.dir!, 'browser'))).toBe(false);
    expect(existsSync(path.join(r.dir!, 'dossier/dossier.pdf'))).toBe(false);
    expect(stdout.text()).toContain('dossier.pdf not written');
    const custody = await readFile(path.join(r.dir!, 'custody.jsonl'), 'utf8');
    expect(custody).toContain('"action":"not-captured","tool"');
    const xarf = JSON.parse(await readFile(path.join(r.dir!, 'dossier/xarf-phishing.json'), 'utf8')) as Record<string, unknown>;
    expect(xarfSchemaErrors(xarf)).toEqual([]);
    expect(xarf.detection_evasion).toEqual(['user_agent_filtering']);
    expect(await verifyCommand({ dir: r.dir!, stdout: sink() })).toBe(0);
  });

  it('without --allow-private-targets the loopback counterfeit is not contacted, and the refusal is recorded', { timeout: 60_000 }, async () => {
    const before = world.requests.filter((q) => q.host === COUNTERFEIT_HOST).length;
    const r = await investigateCommand({ url: `http://${COUNTERFEIT_HOST}/`, registry, ...net(), out: path.join(tmp.dir, 'cases'), timeoutMs: 5000, env: { GOVSCAN_CHROMIUM: 'none' }, stdout: sink() });
    expect(r.exitCode).toBe(0);
    expect(r.data!.capture.liveness).toBe('refused');
    expect(r.data!.capture.policy.refused).toBe(true);
    expect(world.requests.filter((q) => q.host === COUNTERFEIT_HOST).length).toBe(before);
    const custody = await readFile(path.join(r.dir!, 'custody.jsonl'), 'utf8');
    expect(custody).toContain(`"action":"refused","tool"`);
    expect(await readFile(path.join(r.dir!, 'dossier/dossier.html'), 'utf8')).toContain('地址策略');
  });

  it('a case recheck records live, then gone when the name stops resolving', { timeout: 90_000 }, async () => {
    const out = sink();
    expect(await caseRecheckCommand({ dir: caseDir, registry, ...net(), allowPrivateTargets: true, timeoutMs: 5000, env: { GOVSCAN_CHROMIUM: 'none' }, stdout: out })).toBe(0);
    expect(out.text()).toMatch(/recheck of CASE-.*: live/);
    const empty = await startWorld({ name: 'after-takedown', hosts: [{ name: 'www.yaan.gov.cn' }] });
    try {
      const out2 = sink();
      expect(await caseRecheckCommand({ dir: caseDir, registry, resolver: empty.resolver, connectTo: empty.connectTo, allowPrivateTargets: true, timeoutMs: 5000, env: { GOVSCAN_CHROMIUM: 'none' }, stdout: out2 })).toBe(0);
      expect(out2.text()).toMatch(/recheck of CASE-.*: gone/);
    } finally {
      await empty.stop();
    }
    expect(existsSync(path.join(caseDir, 'rechecks/001/recheck.json'))).toBe(true);
    expect(existsSync(path.join(caseDir, 'rechecks/002/recheck.json'))).toBe(true);
    expect(existsSync(path.join(caseDir, 'timestamps/seal-001.tsr'))).toBe(true);
    const custody = await readFile(path.join(caseDir, 'custody.jsonl'), 'utf8');
    expect(custody.match(/"action":"recheck"/g)).toHaveLength(2);
    const v = sink();
    expect(await verifyCommand({ dir: caseDir, tsaCert: tsaCertFile, stdout: v }), v.text()).toBe(0);
    const sum = spawnSync('sha256sum', ['-c', '--quiet', 'manifest-sha256.txt'], { cwd: caseDir, encoding: 'utf8', timeout: 20_000 });
    expect(sum.status, sum.stdout).toBe(0);
  });

  it('rejects an invalid URL and an invalid IDN with a clear usage error', async () => {
    await expect(investigateCommand({ url: 'not a url', registry, ...net(), stdout: sink() })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('not a URL') });
    await expect(investigateCommand({ url: 'http://xn--a.example/', registry, ...net(), stdout: sink() })).rejects.toMatchObject({ exitCode: 2 });
    await expect(investigateCommand({ url: 'ftp://yaan-gov.cn/', registry, ...net(), stdout: sink() })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('only http and https') });
  });
});
