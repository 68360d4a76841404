/**
 * Each page fetched once per run: whichever scanners read a site's homepage
 * (reachability, the census's content, headers, naming), it is requested once
 * per scheme and address family — the census's availability probes (deliberate repeats) and the
 * headers scanner's CORS probe (a request of its own, with an Origin header)
 * aside. Counted at the testbed's servers over the demo world's 41 sites.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadRegistry, type Registry } from '@govscan/core';
import { startWorld, type World } from '@govscan/testbed';
import { demoRegistryPath, demoWorld, scanCommand } from 'govscan';
import { sink, tempDir } from '../helpers/cli.js';

const PROBES = 3; // DEFAULT_CENSUS_OPTIONS.probes
let world: World;
let registry: Registry;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registry = await loadRegistry(demoRegistryPath);
  world = await startWorld(demoWorld(registry, new Date(), { fixed: false }).scenario);
}, 30_000);
afterAll(async () => {
  await world?.stop();
  await cleanup?.();
});

it('the homepage of every site is requested once per scheme (and address family) per run, the availability probes aside', async () => {
  const r = await scanCommand({ registry: demoRegistryPath, resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, allowPrivateTargets: true, concurrency: 16, timeoutMs: 15_000, out: path.join(dir, 'out'), logLevel: 'silent', summary: false, stdout: sink(), formats: ['json'] }, registry);
  expect(r.exitCode).not.toBe(2);
  const counts = new Map<string, number>();
  for (const q of world.requests) {
    if (q.method !== 'GET' || q.path !== '/' || q.headers.origin !== undefined) continue;
    // per address family too: naming's IPv6 check asks for the page over IPv6 on purpose
    const k = `${q.tls ? 'https' : 'http'}://${q.host}/ ${q.localAddress.includes(':') ? 'IPv6' : 'IPv4'}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const hosts = new Set(registry.sites.flatMap((s) => s.urls.map((u) => new URL(u).hostname)));
  const homepages = [...counts].filter(([k]) => hosts.has(new URL(k.split(' ')[0]!).hostname));
  expect(homepages.length).toBeGreaterThan(40);
  // the probes follow the primary URL's redirects, so either scheme may carry them
  const over = homepages.filter(([, n]) => n > PROBES + 1);
  expect(over, JSON.stringify(over.slice(0, 5))).toEqual([]);
}, 120_000);
