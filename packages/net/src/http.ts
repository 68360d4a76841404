import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import net from 'node:net';
import tls from 'node:tls';
import { Agent, errors as undiciErrors, request } from 'undici';
import type { FetchOptions, FetchResult, NetError } from '@govscan/core';
import { applyConnectTo, type ConnectToRule } from './connect-to.js';
import { policyAllows } from './policy.js';
import { networkDeadline } from './clock.js';
import { hopKey, type HopAnswer, type HopMemo } from './memo.js';
import { connectOption, type Connected, type ConnectHook, type PoolSet } from './pools.js';

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface HttpDeps {
  /** Resolve a host for connecting: an address, or a NetError explaining why not. */
  /** The run's lookup is shared by every request to the host; `fresh` asks again (an availability probe). */
  resolveAddress(host: string, signal: AbortSignal, timeoutMs: number, family?: 4 | 6, fresh?: boolean): Promise<{ address: string } | NetError>;
  /** The run's fetch memo (none: every request is sent). */
  memo?: HopMemo;
  /** The run's kept-alive connections (none: a connection per request). */
  pools?: PoolSet;
  connectTo: readonly ConnectToRule[];
  /** Trust store, parsed once: building it per connection costs more than the handshake. */
  secureContext: tls.SecureContext;
  allowPrivateTargets: boolean;
  isRegisteredHost(host: string): boolean;
  userAgent: string;
}

/** An error carrying a NetError, thrown out of the connect hook to undici and caught back in fetchUrl. */
export class ConnectFailure extends Error {
  constructor(readonly netError: NetError) {
    super(netError.message);
  }
}

/**
 * GET (or HEAD) a URL, following redirects by hand so that every hop is
 * recorded. One deadline covers the whole chain; the body is read up to a
 * byte limit and cut there; the connection goes where `--connect-to` and the
 * resolver say, after the address policy has agreed. Never throws: failures
 * come back in `error`.
 */
export async function fetchUrl(deps: HttpDeps, url: string, options: FetchOptions = {}): Promise<FetchResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  // network time: our own CPU (a long parse elsewhere in the run) does not count against the server
  const timer = networkDeadline(timeoutMs);
  const deadline = timer.signal;
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  const result: FetchResult = { url, finalUrl: url, hops: [], status: null, headers: {}, body: Buffer.alloc(0), truncated: false, tls: null, timings: { totalMs: 0, firstByteMs: null }, error: null };
  const fail = (error: NetError): FetchResult => {
    timer.clear();
    result.error = error;
    result.timings.totalMs = ms();
    return result;
  };

  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return fail({ code: 'EBADURL', message: `not a URL: ${url}`, status: 'error' });
  }
  const seen = new Set<string>();
  const firstHost = current.hostname;
  let method = options.method ?? 'GET';

  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') return fail({ code: 'EBADURL', message: `unsupported scheme ${current.protocol}`, status: 'error' });
    result.finalUrl = current.href;
    if (seen.has(current.href)) return fail({ code: 'EREDIRECTLOOP', message: `redirect loop back to ${current.href}`, status: 'error' });
    seen.add(current.href);
    const pin = { ...(options.family ? { family: options.family } : {}), ...(current.hostname === firstHost && options.address ? { address: options.address } : {}) };
    const answer = await hopAnswer(deps, current, method, options, pin, { signal, deadline, timeoutMs, maxBytes });
    if (answer.kind === 'error') return fail(answer.error);
    const status = answer.status;
    const location = answer.location;
    result.hops.push({ url: current.href, status, location, address: answer.address, port: answer.port, elapsedMs: answer.elapsedMs });
    result.status = status;
    result.tls = answer.tls;
    result.headers = answer.headers;
    if (REDIRECT_STATUSES.has(status) && location !== null) {
      if (hop >= maxRedirects) return fail({ code: 'ETOOMANYREDIRECTS', message: `more than ${maxRedirects} redirects`, status: 'error' });
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return fail({ code: 'EBADREDIRECT', message: `unparsable Location: ${location.slice(0, 200)}`, status: 'error' });
      }
      if (status === 303) method = 'GET';
      current = next;
      continue;
    }
    result.timings.firstByteMs = ms();
    // an answer read (or shared) with a larger limit is cut to this one
    result.body = answer.body.length > maxBytes ? answer.body.subarray(0, maxBytes) : answer.body;
    result.truncated = answer.truncated || answer.body.length > maxBytes;
    result.timings.totalMs = ms();
    // Bytes that could not be decoded are never handed on to be judged: the page is unknown.
    if (answer.bodyError) return fail(answer.bodyError);
    timer.clear();
    return result;
  }
}

interface HopBudget {
  signal: AbortSignal;
  deadline: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
}

/**
 * One hop's answer, through the run's memo when there is one: the same
 * request (method, URL, headers, the address it goes to) is sent once per run.
 * A `fresh` fetch (an availability probe) bypasses it, and its DNS lookup too.
 */
async function hopAnswer(deps: HttpDeps, current: URL, method: 'GET' | 'HEAD', options: FetchOptions, pin: { family?: 4 | 6; address?: string }, b: HopBudget): Promise<HopAnswer> {
  const memo = deps.memo && !options.fresh ? deps.memo : null;
  if (!memo) return sendHop(deps, current, method, options, pin, b, options.fresh ?? false);
  const address = await hopAddress(deps, current, pin, b);
  if (typeof address !== 'string') return { kind: 'error', error: address, elapsedMs: 0 };
  // the address decides where it goes: the family asked for adds nothing to the key
  const key = hopKey(method, current.href, address, options.headers);
  const shared = memo.get(key);
  if (shared) {
    const a = await shared;
    // an answer cut shorter than this caller wants is fetched again, with its limit
    if (a.kind === 'error' || !(a.truncated && a.maxBytes < b.maxBytes)) return a;
  }
  const answer = sendHop(deps, current, method, options, { ...pin, address }, b, false);
  // not kept when it ended because this caller gave up (its signal or its deadline)
  memo.set(key, answer, () => !b.signal.aborted);
  return answer;
}

/**
 * The address a hop goes to, for its memo key, or the error that ends it
 * (DNS, the address policy): where the connection would go, through
 * --connect-to and the run's lookup, so every scanner's request to a host
 * shares one key.
 */
async function hopAddress(deps: HttpDeps, current: URL, pin: { family?: 4 | 6; address?: string }, b: HopBudget): Promise<string | NetError> {
  const hostname = current.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(current.port) || (current.protocol === 'https:' ? 443 : 80);
  try {
    return (await resolveTarget(deps, hostname, port, b.signal, b.timeoutMs, pin)).address;
  } catch (err) {
    return toNetError(err, b.deadline, b.timeoutMs);
  }
}

/**
 * Send one request and read its answer (the body up to the limit, or dumped
 * for a redirect). Never throws. A `fresh` request (an availability probe)
 * opens a connection of its own; others go over the run's kept-alive
 * connections to that origin and address, and a request that fails on a
 * reused connection the server had closed is sent once more on a new one.
 */
async function sendHop(deps: HttpDeps, current: URL, method: 'GET' | 'HEAD', options: FetchOptions, pin: { family?: 4 | 6; address?: string }, b: HopBudget, fresh: boolean): Promise<HopAnswer> {
  const connect: ConnectHook = (opts, connected) => connectHop(deps, opts, b.signal, b.timeoutMs, connected, pin, fresh);
  if (fresh || !deps.pools) return sendOnce(current, method, options, b, deps.userAgent, null, connect);
  const pooled = deps.pools.get(current.origin, [current.origin, pin.address ?? '', pin.family ?? ''].join('|'), (opts, connected) => {
    // a pool's connections are made on behalf of whichever request comes first: bounded by the timeout alone
    const deadline = networkDeadline(b.timeoutMs);
    return connectHop(deps, opts, deadline.signal, b.timeoutMs, connected, pin, false).finally(deadline.clear);
  });
  const first = await sendOnce(current, method, options, b, deps.userAgent, pooled, connect);
  if (first.kind === 'error' && (first.error.code === 'ECONNRESET' || first.error.code === 'EPIPE') && first.reused && !b.signal.aborted) return sendOnce(current, method, options, b, deps.userAgent, null, connect);
  return first;
}

async function sendOnce(
  current: URL,
  method: 'GET' | 'HEAD',
  options: FetchOptions,
  b: HopBudget,
  userAgent: string,
  pooled: { pool: import('undici').Pool; connected: Connected } | null,
  connect: ConnectHook,
): Promise<HopAnswer & { reused?: boolean }> {
  const own: Connected = { address: null, port: null, tls: null, connects: 0 };
  const agent = pooled
    ? null
    : new Agent({
        // the one deadline of the fetch governs, in network time (undici's own timers would count our CPU)
        headersTimeout: 0,
        bodyTimeout: 0,
        connections: 1,
        connect: connectOption(connect, own),
      });
  const dispatcher = pooled ? pooled.pool : agent!;
  const connected = pooled ? pooled.connected : own;
  // no connection made while this request ran: it went on one kept from before
  const connectsBefore = connected.connects;
  const hopStart = performance.now();
  const elapsed = (): number => Math.round(performance.now() - hopStart);
  try {
    const res = await request(current, {
      dispatcher,
      method,
      signal: b.signal,
      headers: { 'user-agent': userAgent, accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...options.headers },
    });
    const status = res.statusCode;
    const location = typeof res.headers.location === 'string' ? res.headers.location : null;
    const headers = normaliseHeaders(res.headers);
    const base = { kind: 'response' as const, status, headers, location, address: connected.address, port: connected.port, tls: connected.tls, maxBytes: b.maxBytes };
    if (REDIRECT_STATUSES.has(status) && location !== null) {
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      return { ...base, elapsedMs: elapsed(), body: Buffer.alloc(0), truncated: false, bodyError: null };
    }
    const read = await readBody(res.body, contentEncoding(headers), b.maxBytes);
    return { ...base, elapsedMs: elapsed(), body: read.body, truncated: read.truncated, bodyError: read.error };
  } catch (err) {
    return { kind: 'error', error: toNetError(err, b.deadline, b.timeoutMs), elapsedMs: elapsed(), reused: pooled !== null && connected.connects === connectsBefore };
  } finally {
    agent?.destroy().catch(() => undefined);
  }
}

/** The codings of a response, in the order they were applied (`Content-Encoding: gzip`); identity left out. */
function contentEncoding(headers: Record<string, string | string[]>): string[] {
  const v = headers['content-encoding'];
  const text = Array.isArray(v) ? v.join(',') : (v ?? '');
  return text.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x && x !== 'identity');
}

const DECODERS: Record<string, () => Transform> = {
  gzip: () => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  'x-gzip': () => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  deflate: () => zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  br: () => zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
};

/**
 * Read a body up to `maxBytes` — after decoding what the server declares
 * (gzip, deflate, br; a server may send them unasked), so a compression bomb
 * costs at most the limit. The compressed input is bounded by the limit too.
 * A coding we do not know, or bytes that do not decode, is an `unknown`
 * error (EENCODING): never bytes read as a page they are not.
 */
async function readBody(source: AsyncIterable<Buffer> & { destroy(): void; on(event: 'error', listener: (err: Error) => void): unknown }, codings: string[], maxBytes: number): Promise<{ body: Buffer; truncated: boolean; error: NetError | null }> {
  // Destroying the body once enough is read makes it emit an abort: expected, not an error.
  source.on('error', () => undefined);
  const unknownCoding = codings.find((c) => !DECODERS[c]);
  if (unknownCoding) {
    source.destroy();
    return { body: Buffer.alloc(0), truncated: false, error: { code: 'EENCODING', message: `Content-Encoding ${unknownCoding} is not one govscan decodes`, status: 'unknown' } };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const take = (chunk: Buffer): boolean => {
    const room = maxBytes - size;
    if (chunk.length > room) {
      if (room > 0) chunks.push(chunk.subarray(0, room));
      size = maxBytes;
      truncated = true;
      return false;
    }
    chunks.push(chunk);
    size += chunk.length;
    return true;
  };
  if (codings.length === 0) {
    for await (const chunk of source) {
      if (!take(chunk)) {
        source.destroy();
        break;
      }
    }
    return { body: Buffer.concat(chunks, size), truncated, error: null };
  }
  // Decoders in reverse order of application, fed at most maxBytes of input.
  const decoders = [...codings].reverse().map((c) => DECODERS[c]!());
  for (let i = 0; i < decoders.length - 1; i++) decoders[i]!.pipe(decoders[i + 1]!);
  const first = decoders[0]!;
  const last = decoders.at(-1)!;
  const done = new Promise<NetError | null>((resolve) => {
    last.on('data', (chunk: Buffer) => {
      if (!take(chunk)) {
        for (const d of decoders) d.destroy();
        resolve(null);
      }
    });
    last.on('end', () => resolve(null));
    for (const d of decoders) d.on('error', (err: Error) => resolve(truncated ? null : { code: 'EENCODING', message: `the body does not decode as ${codings.join(', ')}: ${err.message}`, status: 'unknown' }));
  });
  let fed = 0;
  for await (const chunk of source) {
    if (truncated || first.destroyed) break;
    const part = chunk.subarray(0, Math.max(0, maxBytes - fed));
    fed += part.length;
    if (!first.write(part) && !first.destroyed) await new Promise<void>((r) => {
      first.once('drain', r);
      first.once('close', r);
    });
    if (fed >= maxBytes) {
      truncated = true;
      break;
    }
  }
  source.destroy();
  // No body at all (HEAD, 204, 304) under a Content-Encoding header: nothing to decode.
  if (fed === 0) {
    for (const d of decoders) d.destroy();
    return { body: Buffer.alloc(0), truncated: false, error: null };
  }
  if (!first.destroyed) first.end();
  const error = await done;
  return { body: Buffer.concat(chunks, size), truncated, error };
}

async function connectHop(
  deps: HttpDeps,
  opts: { hostname: string; port: string; protocol: string; servername?: string | null },
  signal: AbortSignal,
  timeoutMs: number,
  connected: Connected,
  pin: { family?: 4 | 6; address?: string },
  fresh = false,
): Promise<net.Socket> {
  const secure = opts.protocol === 'https:';
  const hostname = opts.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(opts.port) || (secure ? 443 : 80);
  const target = await resolveTarget(deps, hostname, port, signal, timeoutMs, pin, fresh);
  connected.connects++;
  connected.address = target.address;
  connected.port = target.port;
  const socket = await openSocket(target, signal, secure ? { servername: net.isIP(hostname) ? '' : hostname, secureContext: deps.secureContext } : null);
  if (socket instanceof tls.TLSSocket) {
    connected.tls = {
      protocol: socket.getProtocol() ?? null,
      cipher: socket.getCipher()?.standardName ?? null,
      authorized: socket.authorized,
      authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    };
  }
  return socket;
}

/**
 * Where a connection to host:port goes: --connect-to, then the resolver (or a
 * pinned address), then the address policy. Throws ConnectFailure.
 */
export async function resolveTarget(
  deps: HttpDeps,
  hostname: string,
  port: number,
  signal: AbortSignal,
  timeoutMs: number,
  pin: { family?: 4 | 6; address?: string } = {},
  fresh = false,
): Promise<{ address: string; port: number }> {
  const target = applyConnectTo(deps.connectTo, hostname, port);
  let address: string;
  if (pin.address && !(target.mapped && target.host !== hostname)) address = pin.address;
  else if (net.isIP(target.host)) address = target.host;
  else {
    const r = await deps.resolveAddress(target.host, signal, timeoutMs, pin.family, fresh);
    if (!('address' in r)) throw new ConnectFailure(r);
    address = r.address;
  }
  const verdict = policyAllows(address, deps.isRegisteredHost(hostname), deps.allowPrivateTargets);
  if (!verdict.allowed) {
    throw new ConnectFailure({ code: 'EPOLICY', message: `not contacted: ${hostname} is not a registered site and resolves to a ${verdict.class} address (${address}); use --allow-private-targets to allow`, status: 'unknown' });
  }
  return { address, port: target.port };
}

/** Open a TCP (or, with `secure`, TLS) socket, honouring the signal. */
export function openSocket(target: { address: string; port: number }, signal: AbortSignal, secure: { servername: string; secureContext: tls.SecureContext } | null): Promise<net.Socket> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<net.Socket>((resolve, reject) => {
    const socket: net.Socket = secure
      ? tls.connect({ host: target.address, port: target.port, servername: secure.servername, ALPNProtocols: ['http/1.1'], rejectUnauthorized: false, secureContext: secure.secureContext })
      : net.connect({ host: target.address, port: target.port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
  });
}

function normaliseHeaders(h: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** Map whatever undici, node or our hooks threw to a stable NetError. */
export function toNetError(err: unknown, deadline: AbortSignal, timeoutMs: number): NetError {
  for (let c: unknown = err, i = 0; c instanceof Error && i < 5; c = c.cause, i++) if (c instanceof ConnectFailure) return c.netError;
  const e = err as (Error & { code?: string; cause?: unknown }) | undefined;
  if (deadline.aborted) return { code: 'ETIMEDOUT', message: `no complete answer within ${timeoutMs} ms`, status: 'error' };
  if (!e) return { code: 'EUNKNOWN', message: String(err), status: 'error' };
  if (e.name === 'AbortError') return { code: 'EABORTED', message: 'aborted', status: 'unknown' };
  const code = e.code ?? '';
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || e instanceof undiciErrors.ConnectTimeoutError || code === 'ETIMEDOUT') {
    return { code: 'ETIMEDOUT', message: `no complete answer within ${timeoutMs} ms`, status: 'error' };
  }
  if (code === 'UND_ERR_SOCKET') {
    const cause = e.cause as { code?: string } | undefined;
    return { code: cause?.code ?? 'ECONNRESET', message: `connection closed by the server: ${e.message}`, status: 'error' };
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS|certificate/i.test(e.message)) return { code: 'ETLS', message: e.message, status: 'error' };
  // undici's parser errors carry no code of their own: a reply that is not HTTP at all is one
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_') || code === 'UND_ERR_INFO' || e instanceof undiciErrors.HTTPParserError || e.name === 'HTTPParserError') return { code: 'EHTTPPROTO', message: `malformed HTTP response: ${e.message}`, status: 'error' };
  return { code: code || 'EUNKNOWN', message: e.message, status: 'error' };
}
