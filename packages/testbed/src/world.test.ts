import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBody } from './charset.js';
import { fetchWorld, queryTcp, queryUdp, TYPE } from './test-utils.js';
import type { HostSpec, World } from './types.js';
import { startWorld } from './world.js';

function connectRefused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function ipv6Available(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}

function fortyFiveHosts(): HostSpec[] {
  const hosts: HostSpec[] = [];
  for (let i = 0; i < 40; i++) hosts.push({ name: `www.city${i}.gov.cn` });
  hosts.push(
    { name: '*.wild.example.cn' },
    { name: 'expired.example.cn', cert: { expired: true } },
    { name: 'chain.example.cn', cert: { viaIntermediate: true } },
    { name: 'sha1.example.cn', cert: { signatureHash: 'sha1' } },
    { name: 'nohttps.example.cn', https: null },
  );
  return hosts;
}

describe('startWorld', () => {
  let world: World;
  let startupMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    world = await startWorld({ name: 'big', hosts: fortyFiveHosts(), ipv6: true });
    startupMs = performance.now() - t0;
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('starts a 45-host world in well under 2 s', () => {
    console.log(`testbed: 45-host world started in ${startupMs.toFixed(0)} ms`);
    expect(world.scenario.hosts).toHaveLength(45);
    expect(startupMs).toBeLessThan(2000);
  });

  it('starts again quickly once keys exist (keys are per process)', async () => {
    const t0 = performance.now();
    const again = await startWorld({ hosts: fortyFiveHosts() });
    const ms = performance.now() - t0;
    await again.stop();
    console.log(`testbed: 45-host world restarted in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
    expect(again.caPem).not.toBe(world.caPem);
  });

  it('exposes ports, resolver and curl --connect-to mappings', () => {
    expect(world.resolver).toBe(`127.0.0.1:${world.dnsPort}`);
    expect(world.connectTo).toEqual([`:80::${world.httpPort}`, `:443::${world.httpsPort}`]);
    expect(new Set([world.dnsPort, world.httpPort, world.httpsPort]).size).toBe(3);
  });

  it('works with curl --connect-to and --cacert (when curl is installed)', async (ctx) => {
    const run = (args: string[]): Promise<{ code: number; stdout: string }> =>
      new Promise((resolve) => {
        execFile('curl', args, { timeout: 5000 }, (err, stdout) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout: String(stdout) });
        });
      });
    const version = await run(['--version']);
    if (version.code !== 0) ctx.skip();
    const host = 'www.city3.gov.cn';
    // with --connect-to, curl resolves the name for the *new* port
    const common = ['-sS', '--max-time', '4', '--noproxy', '*'];
    for (const name of [host, 'expired.example.cn']) {
      common.push('--resolve', `${name}:${world.httpPort}:127.0.0.1`, '--resolve', `${name}:${world.httpsPort}:127.0.0.1`);
    }
    for (const c of world.connectTo) common.push('--connect-to', c);
    const viaHttp = await run([...common, '-o', '/dev/null', '-w', '%{http_code} %{remote_port}', `http://${host}/`]);
    expect(viaHttp.stdout).toBe(`200 ${world.httpPort}`);
    const viaHttps = await run([...common, '--cacert', world.caFile, '-w', '%{http_code}', '-o', '/dev/null', `https://${host}/`]);
    expect(viaHttps).toEqual({ code: 0, stdout: '200' });
    const expired = await run([
      ...common,
      '--cacert',
      world.caFile,
      '-o',
      '/dev/null',
      'https://expired.example.cn/',
    ]);
    expect(expired.code).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
  });

  it('serves DNS over UDP and TCP on the same port', async () => {
    const udp = await queryUdp(world.dnsPort, 'www.city7.gov.cn', TYPE.A);
    const tcp = await queryTcp(world.dnsPort, 'www.city7.gov.cn', TYPE.A);
    expect(udp?.answers[0]?.address).toBe('127.0.0.1');
    expect(tcp?.answers[0]?.address).toBe('127.0.0.1');
  });

  it('serves [::1] on the same ports when IPv6 is available', async () => {
    const available = await ipv6Available();
    expect(world.ipv6).toBe(available);
    const aaaa = await queryUdp(world.dnsPort, 'www.city1.gov.cn', TYPE.AAAA);
    if (!available) {
      expect(aaaa?.answers).toHaveLength(0);
      return;
    }
    expect(aaaa?.answers.map((a) => a.address)).toEqual(['::1']);
    const http6 = await fetchWorld(world, { host: 'www.city1.gov.cn', family: 6 });
    expect(http6.status).toBe(200);
    expect(http6.socket.remoteAddress).toBe('::1');
    const https6 = await fetchWorld(world, { host: 'www.city1.gov.cn', tls: true, family: 6 });
    expect(https6.status).toBe(200);
    expect(https6.authorized).toBe(true);
  });

  it('answers no default AAAA without ipv6', async () => {
    const v4 = await startWorld({ hosts: [{ name: 'a.example.cn' }] });
    try {
      expect(v4.ipv6).toBe(false);
      const res = await queryUdp(v4.dnsPort, 'a.example.cn', TYPE.AAAA);
      expect(res?.header.rcode).toBe(0);
      expect(res?.answers).toHaveLength(0);
    } finally {
      await v4.stop();
    }
  });

  it('rejects invalid scenarios', async () => {
    await expect(startWorld({ hosts: [{ name: 'a.cn' }, { name: 'A.cn.' }] })).rejects.toThrow(/twice/);
    await expect(
      startWorld({ hosts: [{ name: 'a.cn', http: { pages: { '/': { body: 'x', charset: 'koi8-r' } } } }] }),
    ).rejects.toThrow(/koi8-r/);
  });
});

describe('world.stop', () => {
  it('closes everything, hung sockets included, within 1 s; idempotent', async () => {
    const world = await startWorld({
      hosts: [
        { name: 'hang.example.cn', http: { behaviour: { hang: true } }, https: { behaviour: { hang: true } } },
        { name: 'slow.example.cn', dns: { delayMs: 5000 }, http: { behaviour: { delayMs: 5000 } } },
        { name: 'huge.example.cn', http: { behaviour: { hugeBodyBytes: 1e9 } } },
      ],
      ipv6: true,
    });
    const pending = [
      fetchWorld(world, { host: 'hang.example.cn', timeoutMs: 10_000 }),
      fetchWorld(world, { host: 'hang.example.cn', tls: true, timeoutMs: 10_000 }),
      fetchWorld(world, { host: 'slow.example.cn', timeoutMs: 10_000 }),
      queryUdp(world.dnsPort, 'slow.example.cn', TYPE.A, 1200),
    ].map((p) => p.then(() => 'settled', (err: NodeJS.ErrnoException) => err.code ?? 'error'));
    // a client that reads nothing of a huge body, and an idle TCP DNS connection
    const lazy = net.connect({ port: world.httpPort, host: '127.0.0.1' });
    lazy.on('error', () => undefined);
    lazy.write('GET / HTTP/1.1\r\nHost: huge.example.cn\r\n\r\n');
    lazy.pause();
    const idleDns = net.connect({ port: world.dnsPort, host: '127.0.0.1' });
    idleDns.on('error', () => undefined);
    const idleTls = net.connect({ port: world.httpsPort, host: '127.0.0.1' }); // never handshakes
    idleTls.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 150));
    expect(world.requests.filter((r) => r.host === 'hang.example.cn')).toHaveLength(2);

    const t0 = performance.now();
    await world.stop();
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1000);
    await world.stop(); // idempotent

    const outcomes = await Promise.all(pending);
    expect(outcomes.slice(0, 3).every((o) => o !== 'settled')).toBe(true); // connections were cut
    for (const port of [world.httpPort, world.httpsPort, world.dnsPort]) expect(await connectRefused(port)).toBe(true);
    if (world.ipv6) expect(await connectRefused(world.httpPort, '::1')).toBe(true);
    // UDP port is free again
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(world.dnsPort, '127.0.0.1', () => resolve());
    });
    probe.close();
    for (const s of [lazy, idleDns, idleTls]) s.destroy();
  });
});

describe('encodeBody', () => {
  it('encodes GBK via the inverted TextDecoder table', () => {
    const bytes = encodeBody('中国 abc，雅安', 'gb2312');
    expect([...bytes.subarray(0, 4)]).toEqual([0xd6, 0xd0, 0xb9, 0xfa]);
    expect(new TextDecoder('gbk').decode(bytes)).toBe('中国 abc，雅安');
    expect(encodeBody('é', 'latin1')).toEqual(Buffer.from([0xe9]));
    expect(() => encodeBody('x', 'koi8-r')).toThrow();
  });
});
