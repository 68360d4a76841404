// The govscan side of the benchmark, as a process of its own (timed from spawn
// to exit like dnstwist): generate the candidates of the given sites and
// resolve them all through the multiplexed resolver, wildcard probes included.
// Prints one line of JSON.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { loadRegistry } = await import(`${root}packages/core/dist/index.js`);
const { MuxResolver } = await import(`${root}packages/net/dist/index.js`);
const { generate, resolveNames } = await import(`${root}scanners/lookalike/dist/index.js`);
const demoRegistryPath = `${root}examples/yaan/registry.yaml`;

const [resolver, codes, concurrency = '256'] = process.argv.slice(2);
const registry = await loadRegistry(demoRegistryPath);
const sites = registry.sites.filter((s) => codes.split(',').includes(s.code));
const t0 = performance.now();
const g = generate(registry, sites);
const t1 = performance.now();
const dns = new MuxResolver({ servers: [resolver], maxInFlight: Number(concurrency) });
const r = await resolveNames(g.candidates.map((c) => c.ascii), dns, { concurrency: Number(concurrency), timeoutMs: 5000 });
dns.close();
const t2 = performance.now();
const states = {};
for (const [name, res] of r.results) states[name] = res.wildcard ? 'wildcard' : res.state;
process.stdout.write(`${JSON.stringify({ candidates: g.candidates.length, generateMs: Math.round(t1 - t0), resolveMs: Math.round(t2 - t1), queries: r.stats.queries, stats: r.stats, states })}\n`);
