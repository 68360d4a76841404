#!/usr/bin/env node
// The simulated world of the throughput run, in a process of its own (as the servers of a real
// census are other machines): N hosts, the header scenarios in turn, each with a government
// homepage. Prints one JSON line ({resolver, connectTo, caFile}) when it listens; stops when
// its standard input closes.
//
//   node test/bench/headers/world.mjs N
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const load = (p) => import(pathToFileURL(path.join(ROOT, p)).href);
const { startWorld, governmentHomepage } = await load('packages/testbed/dist/index.js');
const { HEADER_SCENARIOS } = await load('packages/testbed/dist/index.js');

/** Host i of the throughput world, and the site that registers it. */
export function benchHost(i) {
  const host = `s${i}.bench.yaan.gov.cn`;
  const code = `5118${String(i).padStart(6, '0')}`;
  return { host, code, scenario: HEADER_SCENARIOS[i % HEADER_SCENARIOS.length] };
}

export function benchHosts(n) {
  const hosts = [];
  for (let i = 0; i < n; i++) {
    const { host, code, scenario } = benchHost(i);
    const body = governmentHomepage({ code, name: `站点${i}`, unit: '雅安市测试单位', host, icp: '蜀ICP备05005390号-1', psb: '川公网安备 51180002000100号' });
    hosts.push(scenario.build(host, { body, otherHost: benchHost(0).host }));
  }
  return hosts;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const world = await startWorld({ name: 'headers-throughput', hosts: benchHosts(Number(process.argv[2] ?? 1000)) });
  process.stdout.write(`${JSON.stringify({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile })}\n`);
  process.stdin.resume();
  process.stdin.on('close', () => world.stop().then(() => process.exit(0)));
  process.stdin.on('end', () => world.stop().then(() => process.exit(0)));
}
