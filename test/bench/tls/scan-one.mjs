// govscan TLS assessments in their own process (so wall time and peak memory are measured
// the same way as for testssl.sh and sslscan). Prints JSON on stdout.
// usage: node scan-one.mjs '{"host":…,"resolver":…,"connectTo":[…],"caFile":…,"timeoutMs":…}'
//        node scan-one.mjs '{"hosts":[…],…}'   several hosts in one process, concurrently (as a registry scan runs)
import { createNetClient } from '../../../packages/net/dist/index.js';
import { tls, suiteByCode, SUITES, TLCP } from '../../../scanners/tls/dist/index.js';

const o = JSON.parse(process.argv[2]);
const hosts = o.hosts ?? [o.host];
const t0 = performance.now();
const net = createNetClient({ resolver: o.resolver, connectTo: o.connectTo, caFile: o.caFile, registeredHosts: hosts, timeoutMs: o.timeoutMs });
const byName = new Map([...SUITES, ...TLCP].map((s) => [s.name, s.code]));
const results = await Promise.all(
  hosts.map(async (host) => {
    const t = performance.now();
    const site = { code: '5118000001', name: host, unit: '-', kind: 'other', division: '511800', urls: [`https://${host}/`] };
    const out = await tls.scan(site, { net, registry: { file: '-', sites: [site] }, timeoutMs: o.timeoutMs, signal: new AbortController().signal, log: { debug() {}, info() {}, warn() {}, error() {} }, now: () => new Date(), caFile: o.caFile });
    const ms = performance.now() - t;
    const ep = out.observations.find((x) => x.kind === 'tls.endpoint' && x.facts.address === '127.0.0.1');
    const suites = {};
    for (const [p, list] of Object.entries(ep?.facts.suitesByProtocol ?? {})) suites[p] = list.map((n) => byName.get(n));
    return { host, ms, protocols: ep?.facts.protocols ?? [], suites, grade: ep?.facts.grade ?? null, handshakes: ep?.facts.handshakes ?? null, failed: out.attempts.filter((a) => a.status !== 'ok').length };
  }),
);
const scanMs = performance.now() - t0;
await net.close();
process.stdout.write(JSON.stringify(o.hosts ? { scanMs, results } : { scanMs, ...results[0] }));
void suiteByCode;
