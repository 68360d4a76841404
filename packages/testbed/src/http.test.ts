import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWorld } from './test-utils.js';
import type { World } from './types.js';
import { startWorld } from './world.js';

const HUGE = 5 * 1024 * 1024 + 123;

async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}

describe('world HTTP/HTTPS virtual hosts', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      name: 'http',
      hosts: [
        { name: 'www.yaan.gov.cn' },
        {
          name: 'site.example.cn',
          http: { pages: { '/': { redirect: 'https://site.example.cn/' } } },
          https: {
            headers: { 'Strict-Transport-Security': 'max-age=31536000', 'X-Frame-Options': 'SAMEORIGIN' },
            pages: {
              '/': { body: '<html><title>站点</title></html>' },
              '/gbk.html': { body: '<html><title>雅安市人民政府</title></html>', charset: 'gbk' },
              '/bytes.bin': { body: new Uint8Array([0xd6, 0xd0, 0xb9, 0xfa]), contentType: 'application/octet-stream' },
              '/api?x=1': { body: '{"ok":true}', contentType: 'application/json', headers: { 'X-Frame-Options': 'DENY' } },
              '/moved': { redirect: '/', status: 301 },
              '/teapot': { status: 418, body: 'short and stout', headers: { 'Set-Cookie': ['a=1', 'b=2'] } },
            },
          },
        },
        { name: 'noport80.example.cn', http: null },
        { name: 'slow.example.cn', http: { behaviour: { delayMs: 300 } } },
        { name: 'hang.example.cn', http: { behaviour: { hang: true } }, https: { behaviour: { hang: true } } },
        { name: 'reset.example.cn', http: { behaviour: { reset: true } }, https: { behaviour: { reset: true } } },
        { name: 'huge.example.cn', http: { behaviour: { hugeBodyBytes: HUGE } } },
        { name: 'loop.example.cn', http: { behaviour: { redirectLoop: true } } },
        {
          name: 'mixed.example.cn',
          http: { pages: { '/': {}, '/slow': { body: 'late', behaviour: { delayMs: 100 } } } },
        },
        { name: '*.wild.example.cn' },
        { name: 'cors.example.cn', http: { corsEchoOrigin: true, headers: { 'Access-Control-Allow-Credentials': 'true' } } },
        {
          name: 'cloak.example.cn',
          http: {
            pages: {
              '/': {
                body: '<title>real</title>',
                byUserAgent: [
                  { match: 'Baiduspider', page: { body: '<title>harmless</title>' } },
                  { match: 'micromessenger', page: { status: 302, redirect: '/m' } },
                ],
              },
            },
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('serves a default 200 page over HTTP and HTTPS', async () => {
    for (const tls of [false, true]) {
      const res = await fetchWorld(world, { host: 'www.yaan.gov.cn', tls });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body.toString()).toContain('<title>www.yaan.gov.cn</title>');
    }
  });

  it('serves configured pages, headers and redirects', async () => {
    const http = await fetchWorld(world, { host: 'site.example.cn' });
    expect(http.status).toBe(302);
    expect(http.headers.location).toBe('https://site.example.cn/');

    const home = await fetchWorld(world, { host: 'site.example.cn', tls: true });
    expect(home.status).toBe(200);
    expect(home.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(home.body.toString('utf8')).toBe('<html><title>站点</title></html>');

    const api = await fetchWorld(world, { host: 'site.example.cn', tls: true, path: '/api?x=1' });
    expect(api.headers['content-type']).toBe('application/json');
    expect(api.headers['x-frame-options']).toBe('DENY');

    const moved = await fetchWorld(world, { host: 'site.example.cn', tls: true, path: '/moved' });
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe('/');

    const teapot = await fetchWorld(world, { host: 'site.example.cn', tls: true, path: '/teapot' });
    expect(teapot.status).toBe(418);
    expect(teapot.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('encodes gbk bodies and sends Uint8Array bodies verbatim', async () => {
    const gbk = await fetchWorld(world, { host: 'site.example.cn', tls: true, path: '/gbk.html' });
    expect(gbk.headers['content-type']).toBe('text/html; charset=gbk');
    expect(gbk.body.toString('utf8')).not.toContain('雅安');
    expect(new TextDecoder('gbk').decode(gbk.body)).toBe('<html><title>雅安市人民政府</title></html>');
    const bytes = await fetchWorld(world, { host: 'site.example.cn', tls: true, path: '/bytes.bin' });
    expect([...bytes.body]).toEqual([0xd6, 0xd0, 0xb9, 0xfa]);
  });

  it('answers 404 for unknown paths and 421 for unknown hosts', async () => {
    expect((await fetchWorld(world, { host: 'www.yaan.gov.cn', path: '/nope' })).status).toBe(404);
    const misdirected = await fetchWorld(world, { host: 'unknown.example.org' });
    expect(misdirected.status).toBe(421);
    expect(misdirected.body.toString()).toContain('Misdirected');
  });

  it('routes wildcard vhosts and strips the port from Host', async () => {
    const res = await fetchWorld(world, { host: 'deep.sub.wild.example.cn' });
    expect(res.status).toBe(200);
    const entry = world.requests.find((r) => r.host === 'deep.sub.wild.example.cn');
    expect(entry?.headers.host).toBe(`deep.sub.wild.example.cn:${world.httpPort}`);
    expect(entry?.tls).toBe(false);
  });

  it('resets port-80 connections for http: null', async () => {
    expect(await errorCode(fetchWorld(world, { host: 'noport80.example.cn' }))).toBe('ECONNRESET');
    // HTTPS on the same host still works
    expect((await fetchWorld(world, { host: 'noport80.example.cn', tls: true })).status).toBe(200);
  });

  it('delays responses', async () => {
    const t0 = performance.now();
    const res = await fetchWorld(world, { host: 'slow.example.cn' });
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    const t1 = performance.now();
    expect((await fetchWorld(world, { host: 'mixed.example.cn', path: '/slow' })).body.toString()).toBe('late');
    expect(performance.now() - t1).toBeGreaterThanOrEqual(90);
    expect((await fetchWorld(world, { host: 'mixed.example.cn', path: '/' })).status).toBe(200);
  });

  it('hangs: the client times out', async () => {
    const before = world.requests.length;
    const t0 = performance.now();
    expect(await errorCode(fetchWorld(world, { host: 'hang.example.cn', timeoutMs: 300 }))).toBe('ETIMEDOUT_CLIENT');
    expect(await errorCode(fetchWorld(world, { host: 'hang.example.cn', tls: true, timeoutMs: 300 }))).toBe('ETIMEDOUT_CLIENT');
    expect(performance.now() - t0).toBeLessThan(2000);
    // the requests were read before hanging
    expect(world.requests.slice(before).filter((r) => r.host === 'hang.example.cn')).toHaveLength(2);
  });

  it('resets the connection on request (HTTP and HTTPS)', async () => {
    expect(await errorCode(fetchWorld(world, { host: 'reset.example.cn' }))).toBe('ECONNRESET');
    expect(await errorCode(fetchWorld(world, { host: 'reset.example.cn', tls: true }))).toBe('ECONNRESET');
  });

  it('streams a huge body of exactly N bytes', async () => {
    const res = await fetchWorld(world, { host: 'huge.example.cn', timeoutMs: 10_000 });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(HUGE));
    expect(res.body.length).toBe(HUGE);
  });

  it('stops streaming when the client goes away', async () => {
    const res = await fetchWorld(world, { host: 'huge.example.cn', maxBytes: 100_000 });
    expect(res.body.length).toBeGreaterThanOrEqual(100_000);
    expect(res.body.length).toBeLessThan(HUGE);
    // the world stays healthy
    expect((await fetchWorld(world, { host: 'www.yaan.gov.cn' })).status).toBe(200);
  });

  it('HEAD on a huge body sends headers only', async () => {
    const res = await fetchWorld(world, { host: 'huge.example.cn', method: 'HEAD' });
    expect(res.headers['content-length']).toBe(String(HUGE));
    expect(res.body.length).toBe(0);
  });

  it('loops redirects /loop-a -> /loop-b -> /loop-a', async () => {
    const hops: string[] = [];
    let path = '/';
    for (let i = 0; i < 4; i++) {
      const res = await fetchWorld(world, { host: 'loop.example.cn', path });
      expect(res.status).toBe(302);
      path = String(res.headers.location);
      hops.push(path);
    }
    expect(hops).toEqual(['/loop-a', '/loop-b', '/loop-a', '/loop-b']);
  });

  it('echoes the request Origin in Access-Control-Allow-Origin when corsEchoOrigin is set', async () => {
    const get = (host: string, origin?: string): Promise<IncomingHttpHeaders> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: world.httpPort, path: '/', agent: false, timeout: 5000, headers: { host, ...(origin ? { origin } : {}) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        });
        req.on('timeout', () => req.destroy(new Error('client timeout')));
        req.on('error', reject);
        req.end();
      });
    const echoed = await get('cors.example.cn', 'https://evil.example.org');
    expect(echoed['access-control-allow-origin']).toBe('https://evil.example.org');
    expect(echoed['access-control-allow-credentials']).toBe('true');
    expect((await get('cors.example.cn'))['access-control-allow-origin']).toBeUndefined();
    expect((await get('www.yaan.gov.cn', 'https://evil.example.org'))['access-control-allow-origin']).toBeUndefined();
  });

  it('serves a byUserAgent variant to the User-Agents that match it, the page itself to the rest', async () => {
    const get = (ua?: string): Promise<{ status: number; location: string | undefined; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: world.httpPort, path: '/', agent: false, timeout: 5000, headers: { host: 'cloak.example.cn', ...(ua ? { 'user-agent': ua } : {}) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('timeout', () => req.destroy(new Error('client timeout')));
        req.on('error', reject);
        req.end();
      });
    expect((await get('Mozilla/5.0 (compatible; Baiduspider/2.0)')).body).toBe('<title>harmless</title>');
    const wechat = await get('Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0');
    expect(wechat.status).toBe(302);
    expect(wechat.location).toBe('/m');
    expect((await get('Mozilla/5.0 (Windows NT 10.0)')).body).toBe('<title>real</title>');
    expect((await get()).body).toBe('<title>real</title>');
  });

  it('logs requests', async () => {
    await fetchWorld(world, { host: 'www.yaan.gov.cn', tls: true, path: '/logged?q=1' });
    const entry = world.requests.find((r) => r.path === '/logged?q=1');
    expect(entry).toMatchObject({ host: 'www.yaan.gov.cn', method: 'GET', tls: true });
    expect(entry?.headers.host).toBeDefined();
  });
});
