import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '@govscan/testbed';
import { createNetClient } from './client.js';
import { networkNow, networkTimer } from './clock.js';

/** Block the event loop, as a long parse of a hostile page would. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
}

let world: World;
beforeAll(async () => {
  world = await startWorld({
    hosts: [
      { name: 'quick.yaan.gov.cn', http: { behaviour: { delayMs: 50 } } },
      { name: 'hang.yaan.gov.cn', http: { behaviour: { hang: true } } },
    ],
  });
});
afterAll(async () => world?.stop());

const client = (): ReturnType<typeof createNetClient> =>
  createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: ['quick.yaan.gov.cn', 'hang.yaan.gov.cn'], timeoutMs: 400 });

describe('timeouts in network time', () => {
  it('a stretch of blocked event loop does not count: the timer fires after the network time, not before', async () => {
    const t0 = performance.now();
    const n0 = networkNow();
    const fired = new Promise<number>((resolve) => networkTimer(200, () => resolve(performance.now())));
    await new Promise((r) => setTimeout(r, 20));
    block(600);
    const at = await fired;
    // 600 ms blocked, then the rest of the 200 ms of network time
    expect(at - t0).toBeGreaterThan(600 + 150);
    expect(networkNow() - n0).toBeLessThan(at - t0 - 400);
  });

  it('a healthy site answering in 50 ms is not timed out by 1.5 s of our own CPU in the middle of its request', async () => {
    const net = client();
    try {
      const pending = net.fetch('http://quick.yaan.gov.cn/');
      await new Promise((r) => setTimeout(r, 10));
      block(1500); // far past the 400 ms timeout in wall time
      const r = await pending;
      expect(r.error).toBeNull();
      expect(r.status).toBe(200);
    } finally {
      await net.close();
    }
  });

  it('a server that never answers still times out, after 400 ms of network time', async () => {
    const net = client();
    try {
      const t0 = performance.now();
      const pending = net.fetch('http://hang.yaan.gov.cn/');
      await new Promise((r) => setTimeout(r, 10));
      block(700);
      const r = await pending;
      expect(r.error).toMatchObject({ code: 'ETIMEDOUT' });
      expect(performance.now() - t0).toBeGreaterThan(700 + 300);
      expect(performance.now() - t0).toBeLessThan(700 + 3000);
    } finally {
      await net.close();
    }
  });
});
