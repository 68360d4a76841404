/**
 * WARC 1.1 output with webrecorder's warcio: one gzip member per record,
 * a warcinfo record first, then request/response pairs (linked by
 * WARC-Concurrent-To) and, for exchanges that got no response, a metadata
 * record saying why.
 */
import { WARCRecord, WARCSerializer } from 'warcio';

const WARC_VERSION = 'WARC/1.1';

export interface WarcExchange {
  url: string;
  /** UTC ISO time the request was sent. */
  at: string;
  method: 'GET' | 'HEAD';
  requestHeaders: [string, string][];
  status: number | null;
  responseHeaders: Record<string, string | string[]>;
  body: Uint8Array;
  truncated: boolean;
  address: string | null;
  error: { code: string; message: string } | null;
  /** Extra WARC headers (profile, hop number). */
  note: Record<string, string>;
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function* once(b: Uint8Array): Iterable<Uint8Array> {
  if (b.length) yield b;
}

/** Headers as pairs; multi-valued ones become several pairs. Transfer-Encoding is renamed: the body is stored de-chunked. */
function headerPairs(h: Record<string, string | string[]>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(h)) {
    const name = k.toLowerCase() === 'transfer-encoding' ? 'x-govscan-orig-transfer-encoding' : k;
    for (const one of Array.isArray(v) ? v : [v]) out.push([name, one.replace(/[\r\n]+/g, ' ')]);
  }
  return out;
}

export class WarcWriter {
  private readonly parts: Uint8Array[] = [];
  records = 0;

  static async create(filename: string, info: Record<string, string>): Promise<WarcWriter> {
    const w = new WarcWriter();
    const rec = WARCRecord.createWARCInfo({ filename, warcVersion: WARC_VERSION }, info);
    w.parts.push(await WARCSerializer.serialize(rec, { gzip: true }));
    w.records++;
    return w;
  }

  async add(x: WarcExchange): Promise<void> {
    const u = new URL(x.url);
    const ipHeader: Record<string, string> = x.address ? { 'WARC-IP-Address': x.address } : {};
    let responseId: string | null = null;
    if (x.status !== null) {
      const warcHeaders: Record<string, string> = { ...ipHeader, ...x.note };
      if (x.truncated) warcHeaders['WARC-Truncated'] = 'length';
      const res = WARCRecord.create(
        { url: x.url, date: x.at, type: 'response', warcVersion: WARC_VERSION, statusline: `HTTP/1.1 ${x.status} ${STATUS_TEXT[x.status] ?? ''}`.trimEnd(), httpHeaders: headerPairs(x.responseHeaders), warcHeaders, keepHeadersCase: true },
        once(x.body),
      );
      responseId = res.warcHeaders.headers.get('WARC-Record-ID') ?? null;
      this.parts.push(await WARCSerializer.serialize(res, { gzip: true }));
      this.records++;
    }
    const reqWarc: Record<string, string> = { ...ipHeader, ...x.note };
    if (responseId) reqWarc['WARC-Concurrent-To'] = responseId;
    const req = WARCRecord.create(
      { url: x.url, date: x.at, type: 'request', warcVersion: WARC_VERSION, statusline: `${x.method} ${u.pathname}${u.search} HTTP/1.1`, httpHeaders: [['Host', u.host], ...x.requestHeaders], warcHeaders: reqWarc, keepHeadersCase: true },
      once(new Uint8Array()),
    );
    const requestId = req.warcHeaders.headers.get('WARC-Record-ID') ?? null;
    this.parts.push(await WARCSerializer.serialize(req, { gzip: true }));
    this.records++;
    if (x.error) {
      const meta = WARCRecord.create(
        { url: x.url, date: x.at, type: 'metadata', warcVersion: WARC_VERSION, warcHeaders: { 'Content-Type': 'application/json', ...(requestId ? { 'WARC-Concurrent-To': requestId } : {}) } },
        once(new TextEncoder().encode(`${JSON.stringify({ error: x.error, note: x.note })}\n`)),
      );
      this.parts.push(await WARCSerializer.serialize(meta, { gzip: true }));
      this.records++;
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}
