// The benchmark's DNS server: the simulated world's answers (the testbed's own
// response builder over the demo's lookalike zones and registry hosts, dns2's
// codec) on 127.0.0.1:PORT, UDP and TCP (53 by default: dnstwist cannot be
// given a port). UDP answers are cached by question, so the server is not what
// limits either tool (a real resolver answers far faster than dns2 parses).
// Every answer can be delayed (DELAY_MS) and a share of queries dropped (DROP).
// Run by run.mjs; prints "ready" when listening, stops on SIGTERM.
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// dns2 as the testbed itself has it
const dns2 = createRequire(`${root}packages/testbed/package.json`)('dns2');
const { buildResponse } = await import(`${root}packages/testbed/dist/dns.js`);
const { HostTable } = await import(`${root}packages/testbed/dist/names.js`);
const { loadRegistry } = await import(`${root}packages/core/dist/index.js`);
const { demoScenario, demoRegistryPath } = await import(`${root}packages/cli/dist/index.js`);
const { lookalikeWorld } = await import(`${root}packages/cli/dist/demo/lookalike.js`);

const port = Number(process.env.PORT ?? 53);
const delayMs = Number(process.env.DELAY_MS ?? 0);
const drop = Number(process.env.DROP ?? 0);
const registry = await loadRegistry(demoRegistryPath);
const table = new HostTable([...demoScenario(registry).hosts, ...lookalikeWorld(registry).hosts]);

// deterministic drops: mulberry32 seeded once
let seed = 0x9e3779b9;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
let queries = 0;
let dropped = 0;
const { Packet } = dns2;
const answer = (request) => {
  try {
    return buildResponse(request, table, false);
  } catch {
    return null;
  }
};
const later = (fn) => (delayMs > 0 ? setTimeout(fn, delayMs) : fn());
const dropNow = () => drop > 0 && rand() < drop && ++dropped > 0;

// UDP. dns2's parser costs ~100 µs a message, which would make the server what
// limits the tools, not the tools themselves; so names the world does not hold
// (nearly every candidate) get their NXDOMAIN straight from the question's
// bytes (header and question echoed, no SOA), and other answers, built by the
// testbed, are cached by question with the id patched in.
const cache = new Map();
function qnameOf(msg) {
  const labels = [];
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i];
    if (len > 63 || i + 1 + len > msg.length) return null;
    labels.push(msg.toString('latin1', i + 1, i + 1 + len));
    i += len + 1;
  }
  return i + 5 <= msg.length ? { name: labels.join('.').toLowerCase(), end: i + 5 } : null;
}
function nxdomain(msg, end) {
  const out = Buffer.from(msg.subarray(0, end));
  out.writeUInt16BE(0x8000 | (msg.readUInt16BE(2) & 0x7900) | 0x0400 | 3, 2); // QR, opcode and RD kept, AA, NXDOMAIN
  out.writeUInt16BE(1, 4);
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(0, 10);
  return out;
}
const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
udp.on('error', () => undefined);
udp.on('message', (msg, rinfo) => {
  queries++;
  if (msg.length < 17 || dropNow()) return;
  const q = msg.readUInt16BE(4) === 1 ? qnameOf(msg) : null;
  if (q) {
    const spec = table.find(q.name);
    if ((!spec && !table.isEmptyNonTerminal(q.name)) || spec?.dns?.rcode === 'NXDOMAIN') {
      const out = nxdomain(msg, q.end);
      later(() => udp.send(out, rinfo.port, rinfo.address));
      return;
    }
  }
  let end = 12;
  while (end < msg.length && msg[end] !== 0) end += msg[end] + 1;
  const key = msg.toString('latin1', 12, end + 5) + (msg.readUInt16BE(10) > 0 ? '+edns' : '');
  let bytes = cache.get(key);
  if (!bytes) {
    let request;
    try {
      request = Packet.parse(msg);
    } catch {
      return;
    }
    const response = answer(request);
    if (!response) return;
    bytes = response.toBuffer();
    if (bytes.length > 512 && msg.readUInt16BE(10) === 0) {
      // too big for plain UDP: truncated, the client asks again over TCP
      const tc = Packet.createResponseFromRequest(request);
      tc.header.tc = 1;
      tc.header.aa = 1;
      tc.header.rcode = response.header.rcode;
      bytes = tc.toBuffer();
    }
    cache.set(key, bytes);
  }
  const out = Buffer.from(bytes);
  out.writeUInt16BE(msg.readUInt16BE(0), 0);
  later(() => udp.send(out, rinfo.port, rinfo.address));
});
await new Promise((resolve, reject) => {
  udp.once('error', reject);
  udp.bind(port, '127.0.0.1', resolve);
});
const handle = (request, send) => {
  queries++;
  if (dropNow()) return;
  const response = answer(request);
  if (response) later(() => Promise.resolve(send(response)).catch(() => undefined));
};
const tcp = dns2.createTCPServer();
tcp.on('request', handle);
tcp.on('requestError', () => undefined);
tcp.on('error', () => undefined);
await new Promise((resolve, reject) => {
  tcp.once('error', reject);
  tcp.listen(port, '127.0.0.1', resolve);
});
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ queries, dropped })}\n`);
  udp.close();
  tcp.close();
  process.exit(0);
});
process.stdout.write('ready\n');
