/**
 * Helpers for this package's tests: raw DNS queries with dns2's codec over
 * node:dgram / node:net, and HTTP(S) fetches pinned to 127.0.0.1.
 * Not exported from the package entry.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import dns2 from 'dns2';
import type { Packet as DnsPacket } from 'dns2';
import type { World } from './types.js';

const { Packet } = dns2;

export const TYPE = Packet.TYPE;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

function queryPacket(name: string, type: number): Buffer {
  const packet = new Packet();
  packet.header.id = Packet.uuid();
  packet.header.rd = 1;
  packet.questions.push({ name, type, class: Packet.CLASS.IN } as DnsPacket['questions'][number]);
  return packet.toBuffer();
}

/** One UDP query; null when no reply arrives within timeoutMs. */
export function queryUdp(port: number, name: string, type: number, timeoutMs = 1000): Promise<DnsPacket | null> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(Packet.parse(msg));
    });
    socket.send(queryPacket(name, type), port, '127.0.0.1');
  });
}

/** One TCP query (length-prefixed); null on timeout. */
export function queryTcp(port: number, name: string, type: number, timeoutMs = 1000): Promise<DnsPacket | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('connect', () => {
      const q = queryPacket(name, type);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(q.length);
      socket.write(Buffer.concat([len, q]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Packet.parse(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      }
    });
  });
}

/** Resolves every name to 127.0.0.1 (or ::1 with family 6). */
export function loopbackLookup(family: 4 | 6 = 4): LookupFunction {
  const address = family === 6 ? '::1' : '127.0.0.1';
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}

export interface FetchResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** HTTPS only. */
  cert?: DetailedPeerCertificate;
  authorized?: boolean;
  authorizationError?: string;
  socket: TLSSocket | net.Socket;
}

export interface FetchOptions {
  host: string;
  path?: string;
  method?: string;
  tls?: boolean;
  timeoutMs?: number;
  /** Extra trust anchors; default world.caPem. */
  ca?: string | string[];
  family?: 4 | 6;
  /** Override the SNI (default: host). */
  servername?: string;
  /** Abort after this many body bytes (resolves with what was read). */
  maxBytes?: number;
}

/** One request to the world with rejectUnauthorized: false (the verdict is reported in `authorized`). */
export function fetchWorld(world: World, options: FetchOptions): Promise<FetchResult> {
  const secure = options.tls ?? false;
  const mod = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: options.host,
        port: secure ? world.httpsPort : world.httpPort,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        lookup: loopbackLookup(options.family ?? 4),
        agent: false,
        timeout: options.timeoutMs ?? 5000,
        ...(secure
          ? { ca: options.ca ?? world.caPem, rejectUnauthorized: false, servername: options.servername ?? options.host }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const socket = res.socket as TLSSocket;
        const tlsInfo = secure
          ? {
              cert: socket.getPeerCertificate(true),
              authorized: socket.authorized,
              authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
            }
          : {};
        const done = (): void =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), socket, ...tlsInfo });
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (options.maxBytes !== undefined && size >= options.maxBytes) {
            req.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT_CLIENT' })));
    req.on('error', reject);
    req.end();
  });
}
