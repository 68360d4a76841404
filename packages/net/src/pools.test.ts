import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNetClient } from './client.js';

let server: http.Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => res.end(`<p>${req.url}</p>`));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  connections = 0;
});

const client = (o: { memo?: boolean } = {}): ReturnType<typeof createNetClient> =>
  createNetClient({ connectTo: [`keep.yaan.gov.cn:80:127.0.0.1:${port}`], registeredHosts: ['keep.yaan.gov.cn'], timeoutMs: 3000, ...o });

describe('connections kept alive for the run', () => {
  it('twenty requests to one origin, one after another: at most the pool\'s two connections', async () => {
    const net = client();
    try {
      for (let i = 0; i < 20; i++) expect((await net.fetch(`http://keep.yaan.gov.cn/p${i}`)).status).toBe(200);
      expect(connections).toBeLessThanOrEqual(2);
    } finally {
      await net.close();
    }
  });

  it('availability probes (fresh) and a client with every cache off connect anew each time', async () => {
    const net = client();
    const off = client({ memo: false });
    try {
      for (let i = 0; i < 5; i++) expect((await net.fetch('http://keep.yaan.gov.cn/', { fresh: true })).status).toBe(200);
      expect(connections).toBe(5);
      for (let i = 0; i < 5; i++) expect((await off.fetch(`http://keep.yaan.gov.cn/q${i}`)).status).toBe(200);
      expect(connections).toBe(10);
    } finally {
      await net.close();
      await off.close();
    }
  });

  it('a kept connection the server has closed meanwhile costs nothing: the request goes on a new one', async () => {
    const net = client();
    const before = server.keepAliveTimeout;
    server.keepAliveTimeout = 30;
    try {
      for (let i = 0; i < 5; i++) {
        const r = await net.fetch(`http://keep.yaan.gov.cn/idle${i}`);
        expect(r.error).toBeNull();
        await new Promise((res) => setTimeout(res, 80));
      }
      expect(connections).toBeGreaterThan(1);
    } finally {
      server.keepAliveTimeout = before;
      await net.close();
    }
  });
});
