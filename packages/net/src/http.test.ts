import { gzipSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '@govscan/testbed';
import { createNetClient } from './client.js';

let world: World;
const registered = ['gz.yaan.gov.cn', 'www.yaan.gov.cn', 'slow.yaan.gov.cn', 'hang.yaan.gov.cn', 'reset.yaan.gov.cn', 'huge.yaan.gov.cn', 'loop.yaan.gov.cn', 'gone.yaan.gov.cn', 'dnsfail.yaan.gov.cn', 'hop.yaan.gov.cn', 'notls.yaan.gov.cn', 'many.yaan.gov.cn'];

beforeAll(async () => {
  const redirects = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`/r${i}`, { redirect: `/r${i + 1}` }]));
  world = await startWorld({
    hosts: [
      { name: 'www.yaan.gov.cn', http: { pages: { '/': { status: 301, redirect: 'https://www.yaan.gov.cn/' } } }, https: { pages: { '/': { body: '<title>雅安市人民政府</title>' } } } },
      { name: 'slow.yaan.gov.cn', http: { behaviour: { delayMs: 300 } } },
      { name: 'hang.yaan.gov.cn', http: { behaviour: { hang: true } } },
      { name: 'reset.yaan.gov.cn', http: { behaviour: { reset: true } } },
      { name: 'huge.yaan.gov.cn', http: { behaviour: { hugeBodyBytes: 50 * 1024 * 1024 } } },
      { name: 'loop.yaan.gov.cn', http: { behaviour: { redirectLoop: true } } },
      { name: 'many.yaan.gov.cn', http: { pages: redirects } },
      { name: 'dnsfail.yaan.gov.cn', dns: { rcode: 'SERVFAIL' } },
      { name: 'hop.yaan.gov.cn', http: { pages: { '/': { redirect: 'http://lookalike.example.cn/' } } } },
      { name: 'lookalike.example.cn' },
      { name: 'notls.yaan.gov.cn', https: null },
      {
        name: 'gz.yaan.gov.cn',
        http: {
          pages: {
            // compressed although nobody asked for it
            '/': { body: gzipSync(Buffer.from('<title>雅安市人民政府</title><p>网站标识码：5118000022</p>')), headers: { 'content-encoding': 'gzip', 'content-type': 'text/html; charset=utf-8' } },
            '/br': { body: brotliCompressSync(Buffer.from('<p>br 雅安</p>')), headers: { 'content-encoding': 'br' } },
            // 64 MiB of zeros in about 64 KB
            '/bomb': { body: gzipSync(Buffer.alloc(64 * 1024 * 1024)), headers: { 'content-encoding': 'gzip' } },
            '/zstd': { body: Buffer.from('not really zstd'), headers: { 'content-encoding': 'zstd' } },
            '/corrupt': { body: Buffer.from('definitely not gzip data at all'), headers: { 'content-encoding': 'gzip' } },
          },
        },
      },
    ],
  });
});
afterAll(async () => world?.stop());

function client(extra: Parameters<typeof createNetClient>[0] = {}) {
  return createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: registered, timeoutMs: 3000, ...extra });
}

describe('bodies as the server encoded them', () => {
  it('decodes gzip and br the server sent unasked, and judges no compressed bytes', async () => {
    const r = await client().fetch('http://gz.yaan.gov.cn/');
    expect(r.error).toBeNull();
    expect(r.body.toString('utf8')).toContain('网站标识码：5118000022');
    expect((await client().fetch('http://gz.yaan.gov.cn/br')).body.toString('utf8')).toBe('<p>br 雅安</p>');
  });

  it('bounds a gzip bomb by the byte limit after decoding, in bounded time and memory', async () => {
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const r = await client().fetch('http://gz.yaan.gov.cn/bomb', { maxBytes: 1024 * 1024 });
    expect(r.error).toBeNull();
    expect(r.truncated).toBe(true);
    expect(r.body.length).toBe(1024 * 1024);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('says unknown (EENCODING) for a coding it does not know or bytes that do not decode, with no body', async () => {
    for (const p of ['/zstd', '/corrupt']) {
      const r = await client().fetch(`http://gz.yaan.gov.cn${p}`);
      expect(r.error, p).toMatchObject({ code: 'EENCODING', status: 'unknown' });
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(0);
    }
  });

  it('has nothing to decode in a HEAD answer that names a coding', async () => {
    const r = await client().fetch('http://gz.yaan.gov.cn/', { method: 'HEAD' });
    expect(r.error).toBeNull();
    expect(r.body.length).toBe(0);
  });
});

describe('fetch over real sockets', () => {
  it('calls a reply that is not HTTP at all a protocol error (EHTTPPROTO)', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((c) => c.on('data', () => c.end('SSH-2.0-OpenSSH_9.0\r\n')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await client({ connectTo: [`notls.yaan.gov.cn:80:127.0.0.1:${port}`, ...world.connectTo] }).fetch('http://notls.yaan.gov.cn/');
      expect(r.error).toMatchObject({ code: 'EHTTPPROTO', status: 'error' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('follows redirects hop by hop, over TLS trusted through --ca-file', async () => {
    const r = await client().fetch('http://www.yaan.gov.cn/');
    expect(r.error).toBeNull();
    expect(r.status).toBe(200);
    expect(r.finalUrl).toBe('https://www.yaan.gov.cn/');
    expect(r.hops.map((h) => [h.url, h.status])).toEqual([['http://www.yaan.gov.cn/', 301], ['https://www.yaan.gov.cn/', 200]]);
    expect(r.hops[1]).toMatchObject({ address: '127.0.0.1', port: world.httpsPort });
    expect(r.tls).toMatchObject({ authorized: true, authorizationError: null });
    expect(r.body.toString('utf8')).toContain('雅安市人民政府');
  });

  it('sees an untrusted certificate without the world CA, and still fetches', async () => {
    const r = await createNetClient({ resolver: world.resolver, connectTo: world.connectTo, registeredHosts: registered }).fetch('https://www.yaan.gov.cn/');
    expect(r.status).toBe(200);
    expect(r.tls?.authorized).toBe(false);
    expect(r.tls?.authorizationError).toMatch(/UNABLE_TO_VERIFY|CERT/);
  });

  it('ends a server that accepts and never answers at the timeout, as ETIMEDOUT', async () => {
    const t0 = Date.now();
    const r = await client({ timeoutMs: 500 }).fetch('http://hang.yaan.gov.cn/');
    expect(r.error).toMatchObject({ code: 'ETIMEDOUT', status: 'error' });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('reports a reset connection', async () => {
    const r = await client().fetch('http://reset.yaan.gov.cn/');
    expect(r.error?.code).toMatch(/ECONNRESET|EPIPE|UND_ERR_SOCKET/);
    expect(r.error?.status).toBe('error');
  });

  it('cuts a huge body at the byte limit and says so', async () => {
    const r = await client().fetch('http://huge.yaan.gov.cn/', { maxBytes: 100_000 });
    expect(r.error).toBeNull();
    expect(r.truncated).toBe(true);
    expect(r.body.length).toBe(100_000);
  });

  it('ends a redirect loop and a long chain at the limit', async () => {
    const loop = await client().fetch('http://loop.yaan.gov.cn/');
    expect(loop.error?.code).toBe('EREDIRECTLOOP');
    const many = await client().fetch('http://many.yaan.gov.cn/r0', { maxRedirects: 5 });
    expect(many.error?.code).toBe('ETOOMANYREDIRECTS');
    expect(many.hops).toHaveLength(6);
  });

  it('marks a name the resolver cannot answer for as unknown, and a missing name as an error', async () => {
    expect((await client().fetch('http://dnsfail.yaan.gov.cn/')).error).toMatchObject({ code: 'EDNSUNKNOWN', status: 'unknown' });
    expect((await client().fetch('http://gone.yaan.gov.cn/')).error).toMatchObject({ code: 'ENOTFOUND', status: 'error' });
  });

  it('does not follow a registered site into a private address on an unregistered host', async () => {
    const before = world.requests.filter((q) => q.host === 'lookalike.example.cn').length;
    const r = await client().fetch('http://hop.yaan.gov.cn/');
    expect(r.error).toMatchObject({ code: 'EPOLICY', status: 'unknown' });
    expect(r.error?.message).toMatch(/lookalike.example.cn .*loopback address/);
    expect(world.requests.filter((q) => q.host === 'lookalike.example.cn').length).toBe(before);
    const allowed = await client({ allowPrivateTargets: true }).fetch('http://hop.yaan.gov.cn/');
    expect(allowed.error).toBeNull();
    expect(allowed.finalUrl).toBe('http://lookalike.example.cn/');
  });

  it('reports a failed TLS handshake', async () => {
    const r = await client().fetch('https://notls.yaan.gov.cn/');
    expect(r.error?.status).toBe('error');
    expect(r.status).toBeNull();
  });

  it('honours the caller’s abort signal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await client({ timeoutMs: 10_000 }).fetch('http://hang.yaan.gov.cn/', { signal: ac.signal });
    expect(r.error?.status).toBe('unknown');
  });

  it('rejects what is not an http(s) URL', async () => {
    expect((await client().fetch('ftp://www.yaan.gov.cn/')).error?.code).toBe('EBADURL');
    expect((await client().fetch('not a url')).error?.code).toBe('EBADURL');
  });

  it('fetches over IPv6 only when asked, and says when there is no AAAA record', async () => {
    const r = await client().fetch('http://slow.yaan.gov.cn/', { family: 6 });
    expect(r.error).toMatchObject({ code: 'ENOADDRESS', message: expect.stringMatching(/no AAAA record/) });
    expect((await client().fetch('http://slow.yaan.gov.cn/', { family: 4 })).error).toBeNull();
  });

  it('connects to a pinned address instead of resolving', async () => {
    const r = await client().fetch('http://gone.yaan.gov.cn/', { address: '127.0.0.1' });
    expect(r.error).toBeNull();
    expect(r.status).toBe(421); // the world does not host that name, but it was reached
  });
});

describe('raw connections', () => {
  it('opens a TCP socket through --connect-to and the resolver', async () => {
    const c = await client().connect('www.yaan.gov.cn', 443);
    if (!('socket' in c)) throw new Error(c.message);
    expect(c).toMatchObject({ address: '127.0.0.1', port: world.httpsPort });
    c.socket.destroy();
  });

  it('applies the address policy and reports DNS failures like fetch does', async () => {
    expect(await client().connect('lookalike.example.cn', 443)).toMatchObject({ code: 'EPOLICY', status: 'unknown' });
    expect(await client().connect('dnsfail.yaan.gov.cn', 443)).toMatchObject({ code: 'EDNSUNKNOWN', status: 'unknown' });
    expect(await client().connect('gone.yaan.gov.cn', 443)).toMatchObject({ code: 'ENOTFOUND', status: 'error' });
  });

  it('reports a refused connection', async () => {
    const c = await createNetClient({ connectTo: ['::127.0.0.1:9'], registeredHosts: registered }).connect('www.yaan.gov.cn', 443, { timeoutMs: 2000 });
    expect(c).toMatchObject({ code: 'ECONNREFUSED', status: 'error' });
  });
});
