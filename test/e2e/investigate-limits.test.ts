import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry, type Registry } from '@govscan/core';
import { Bundle, findChromium, safeName } from '@govscan/case';
import { startWorld, type World } from '@govscan/testbed';
import { demoRegistryPath } from 'govscan';
import { investigateCommand, verifyCommand } from 'govscan/investigate';
import { tempDir } from '../helpers/cli.js';

const sink = (): Writable & { text: () => string } => {
  const chunks: Buffer[] = [];
  const w = new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
};

const hasChromium = findChromium().path !== null;

describe('govscan investigate within limits: down, huge, endless redirect, hostile JavaScript, crafted names', () => {
  let world: World;
  let registry: Registry;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const run = (url: string, extra: Partial<Parameters<typeof investigateCommand>[0]> = {}) =>
    investigateCommand({ url, registry, resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, allowPrivateTargets: true, out: tmp.dir, timeoutMs: 4000, browserTimeoutMs: 6000, env: { GOVSCAN_CHROMIUM: 'none' }, stdout: sink(), ...extra });

  beforeAll(async () => {
    registry = await loadRegistry(demoRegistryPath);
    world = await startWorld({
      name: 'limits',
      hosts: [
        { name: 'gone-yaan.cn', dns: { rcode: 'NXDOMAIN' } },
        { name: 'reset-yaan.cn', http: { behaviour: { reset: true } } },
        { name: 'huge-yaan.cn', http: { behaviour: { hugeBodyBytes: 64 * 1024 * 1024 } } },
        { name: 'loop-yaan.cn', http: { pages: { '/': { redirect: '/loop-a' } }, behaviour: { redirectLoop: true } } },
        {
          name: 'hostile-yaan.cn',
          http: {
            pages: {
              '/': { body: '<!DOCTYPE html><html><head><title>雅安市人民政府</title><script>alert("x");window.open("http://hostile-yaan.cn/pop");fetch("http://8.8.8.8/",{method:"POST",body:"x"}).catch(()=>{});while(true){}</script></head><body>loop</body></html>' },
            },
          },
        },
        { name: 'crafted-yaan.cn', http: { pages: { '/../../x': { body: '<title>x</title>' }, '/': { redirect: '/..%2F..%2Fx' } } } },
      ],
    });
    tmp = await tempDir();
  });

  afterAll(async () => {
    await world?.stop();
    await tmp?.cleanup();
  });

  it('a site whose name does not resolve still yields a complete case that records it as down', { timeout: 30_000 }, async () => {
    const r = await run('http://gone-yaan.cn/');
    expect(r.data!.capture.liveness).toBe('down');
    expect(r.data!.capture.livenessZh).toContain('ENOTFOUND');
    expect(r.data!.capture.dns.find((d) => d.type === 'A')?.status).toBe('nxdomain');
    expect(await verifyCommand({ dir: r.dir!, stdout: sink() })).toBe(0);
  });

  it('a server that resets the connection is recorded as down', { timeout: 30_000 }, async () => {
    const r = await run('http://reset-yaan.cn/');
    expect(r.data!.capture.liveness).toBe('down');
    expect(r.data!.capture.exchanges[0]?.error?.code).toBe('ECONNRESET');
  });

  it('a huge page is cut at --max-bytes and marked truncated, in the case and in the WARC', { timeout: 30_000 }, async () => {
    const r = await run('http://huge-yaan.cn/', { maxBytes: 256 * 1024 });
    const ex = r.data!.capture.exchanges.filter((e) => e.profile === 'desktop');
    expect(ex.at(-1)).toMatchObject({ truncated: true, bodyBytes: 256 * 1024 });
    const bundle = new Bundle(r.dir!);
    expect((await bundle.read('pages/desktop.html')).length).toBe(256 * 1024);
    expect((await bundle.read('http/capture.warc.gz')).length).toBeLessThan(2 * 1024 * 1024);
  });

  it('an endless redirect is stopped and recorded', { timeout: 30_000 }, async () => {
    const r = await run('http://loop-yaan.cn/');
    const p = r.data!.capture.profiles[0]!;
    expect(p.error?.code).toBe('EREDIRECTLOOP');
    expect(r.data!.capture.exchanges.filter((e) => e.profile === 'desktop').length).toBeLessThanOrEqual(11);
    expect(r.data!.capture.liveness).toBe('down');
  });

  it('hostile JavaScript (an endless loop, dialogs, pop-ups, a POST) is contained by the time limit', { timeout: 90_000 }, async (ctx) => {
    if (!hasChromium) ctx.skip();
    const t0 = performance.now();
    const r = await run('http://hostile-yaan.cn/', { env: {} });
    expect(performance.now() - t0).toBeLessThan(80_000);
    const b = r.data!.capture.browser.find((x) => x.profile === 'desktop')!;
    expect(b.status).not.toBe('captured');
    expect(r.data!.notCapturedZh.join()).toMatch(/时限/);
    expect(world.requests.filter((q) => q.host === 'hostile-yaan.cn').every((q) => q.method === 'GET')).toBe(true);
    expect(await verifyCommand({ dir: r.dir!, stdout: sink() })).toBe(0);
  });

  it('file names are made by govscan: a crafted path never leaves the bundle', { timeout: 30_000 }, async () => {
    expect(safeName('../../x')).toBe('x');
    expect(safeName('..')).toBe('file');
    const r = await run('http://crafted-yaan.cn/');
    const outside = await readdir(path.dirname(tmp.dir));
    expect(outside).not.toContain('x');
    expect(existsSync(path.join(tmp.dir, 'x'))).toBe(false);
    const b = new Bundle(r.dir!);
    for (const bad of ['../../x', '/etc/passwd', 'a/../../x', 'a\\..\\x', '..', '']) await expect(b.write(bad, 'x')).rejects.toMatchObject({ code: 'E_BUNDLE_PATH' });
    expect(await verifyCommand({ dir: r.dir!, stdout: sink() })).toBe(0);
  });

  it('a site reported by its address on a port of its own ([::1]:PORT): a case with a valid XARF report and the browser capture', { timeout: 90_000 }, async (ctx) => {
    const server = http.createServer((_q, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!DOCTYPE html><title>雅安市人民政府</title><form><input type="password" name="pwd"></form>');
    });
    try {
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '::1', () => resolve()));
    } catch {
      ctx.skip(); // no IPv6 loopback on this machine
    }
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await run(`http://[::1]:${port}/`, hasChromium ? { env: {} } : {});
      expect(r.exitCode).toBe(0);
      const xarf = JSON.parse(await readFile(path.join(r.dir!, 'dossier', 'xarf-phishing.json'), 'utf8'));
      expect(xarf.domain).toBeUndefined();
      expect(xarf.source_identifier).toBe('::1');
      if (hasChromium) expect(r.data!.capture.browser.find((x) => x.profile === 'desktop')!.status).toBe('captured');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
