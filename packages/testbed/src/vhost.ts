/**
 * HTTP(S) virtual hosts: routing by Host header, pages and behaviours.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { encodeBody } from './charset.js';
import { escapeHtml } from './html.js';
import { type HostTable, hostFromHeader } from './names.js';
import type { Behaviour, PageSpec, RequestLogEntry, VhostSpec } from './types.js';

export interface VhostOptions {
  table: HostTable;
  log(entry: RequestLogEntry): void;
  /** Pending delayed responses; cleared by the world on stop. */
  timers: Set<NodeJS.Timeout>;
}

const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'a');

/** Sends a TCP RST (the underlying TCP socket for TLS) and destroys the socket. */
export function resetSocket(socket: Socket): void {
  const raw = (socket as Socket & { _parent?: Socket | null })._parent ?? socket;
  try {
    raw.resetAndDestroy();
  } catch {
    raw.destroy();
  }
  if (raw !== socket) socket.destroy();
}

function defaultPage(host: string): PageSpec {
  const h = escapeHtml(host);
  return {
    body: `<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>${h}</title>\n</head>\n<body>\n<h1>${h}</h1>\n<p>govscan testbed</p>\n</body>\n</html>\n`,
  };
}

function setHeaders(res: ServerResponse, headers: Record<string, string | string[]> | undefined): void {
  if (!headers) return;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

function sendPage(req: IncomingMessage, res: ServerResponse, vhost: VhostSpec, page: PageSpec | undefined): void {
  setHeaders(res, vhost.headers);
  if (vhost.corsEchoOrigin && typeof req.headers.origin === 'string') res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
  if (!page) {
    const body = Buffer.from('<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n');
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', body.length);
    res.end(body);
    return;
  }
  const body = encodeBody(page.body ?? '', page.charset);
  res.statusCode = page.status ?? (page.redirect !== undefined ? 302 : 200);
  if (page.redirect !== undefined) res.setHeader('Location', page.redirect);
  res.setHeader('Content-Type', page.contentType ?? `text/html; charset=${page.charset ?? 'utf-8'}`);
  setHeaders(res, page.headers);
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function streamHugeBody(req: IncomingMessage, res: ServerResponse, vhost: VhostSpec, bytes: number): void {
  setHeaders(res, vhost.headers);
  const total = Math.max(0, Math.floor(bytes));
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': total });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let sent = 0;
  let gone = false;
  res.on('close', () => {
    gone = true;
  });
  const pump = (): void => {
    while (sent < total) {
      if (gone || res.destroyed) return;
      const size = Math.min(HUGE_CHUNK.length, total - sent);
      sent += size;
      const ok = res.write(size === HUGE_CHUNK.length ? HUGE_CHUNK : HUGE_CHUNK.subarray(0, size));
      if (!ok) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

function findPage(pages: Record<string, PageSpec>, url: string): PageSpec | undefined {
  let target = url;
  if (!target.startsWith('/')) {
    // absolute-form request target (as sent to proxies)
    try {
      const u = new URL(target);
      target = u.pathname + u.search;
    } catch {
      return undefined;
    }
  }
  if (Object.hasOwn(pages, target)) return pages[target];
  const path = target.split('?')[0] ?? target;
  return Object.hasOwn(pages, path) ? pages[path] : undefined;
}

/** The page variant for this User-Agent (`byUserAgent`, first match wins; nested variants are not followed). */
function pickByUserAgent(page: PageSpec | undefined, userAgent: string | undefined): PageSpec | undefined {
  if (!page?.byUserAgent || !userAgent) return page;
  const ua = userAgent.toLowerCase();
  return page.byUserAgent.find((v) => v.match !== '' && ua.includes(v.match.toLowerCase()))?.page ?? page;
}

/** The request listener shared by the HTTP (tls=false) or HTTPS (tls=true) servers. */
export function createRequestHandler(options: VhostOptions, tls: boolean): (req: IncomingMessage, res: ServerResponse) => void {
  const { table, log, timers } = options;
  return (req, res) => {
    const host = hostFromHeader(req.headers.host);
    const url = req.url ?? '/';
    log({ host, method: req.method ?? 'GET', path: url, headers: { ...req.headers }, tls, localAddress: req.socket.localAddress ?? '', at: Date.now() });
    const spec = host ? table.find(host) : undefined;
    if (!spec) {
      const body = Buffer.from('Misdirected Request\n');
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    const vhost = tls ? spec.https : spec.http;
    if (vhost === null) {
      resetSocket(req.socket);
      return;
    }
    const v: VhostSpec = vhost ?? {};
    const pages = v.pages ?? { '/': defaultPage(host) };
    const page = pickByUserAgent(findPage(pages, url), req.headers['user-agent']);
    const behaviour: Behaviour | undefined = page?.behaviour ?? v.behaviour;
    if (!behaviour) {
      sendPage(req, res, v, page);
      return;
    }
    if ('hang' in behaviour) return; // the socket is destroyed by world.stop
    if ('reset' in behaviour) {
      resetSocket(req.socket);
      return;
    }
    if ('delayMs' in behaviour) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed && !req.socket.destroyed) sendPage(req, res, v, page);
      }, behaviour.delayMs);
      timers.add(timer);
      return;
    }
    if ('hugeBodyBytes' in behaviour) {
      streamHugeBody(req, res, v, behaviour.hugeBodyBytes);
      return;
    }
    if ('redirectLoop' in behaviour) {
      const path = url.split('?')[0];
      setHeaders(res, v.headers);
      res.writeHead(302, { Location: path === '/loop-a' ? '/loop-b' : '/loop-a', 'Content-Length': 0 });
      res.end();
      return;
    }
    sendPage(req, res, v, page);
  };
}
