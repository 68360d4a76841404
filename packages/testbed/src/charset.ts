/**
 * Body encoding without third-party encoders.
 *
 * Node has no built-in GBK *encoder* (TextEncoder is UTF-8 only) and iconv-lite
 * is not a dependency of this package. Node's TextDecoder (full ICU) does decode
 * GBK, so the encoder table is built once, lazily, by decoding every two-byte
 * GBK sequence (~24k entries, ~30 ms) and inverting the result.
 *
 * Characters outside the two-byte GBK table (rare: some GB18030-only code
 * points) are written as '?'. Callers needing exact bytes can pass a
 * Uint8Array body instead.
 */

const GBK_FAMILY = new Set(['gbk', 'gb2312', 'gb18030', 'x-gbk', 'cp936', 'windows-936', 'euc-cn']);
const UTF8 = new Set(['utf-8', 'utf8']);
const LATIN1 = new Set(['latin1', 'iso-8859-1', 'us-ascii', 'ascii']);

let gbkTable: Map<number, number> | undefined;

function gbkEncoderTable(): Map<number, number> {
  if (gbkTable) return gbkTable;
  const decoder = new TextDecoder('gbk');
  const table = new Map<number, number>();
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const s = decoder.decode(pair);
      if (s.length !== 1 || s === '\ufffd') continue;
      const cp = s.charCodeAt(0);
      if (!table.has(cp)) table.set(cp, (lead << 8) | trail);
    }
  }
  gbkTable = table;
  return table;
}

export function isSupportedCharset(charset: string): boolean {
  const c = charset.toLowerCase();
  return UTF8.has(c) || LATIN1.has(c) || GBK_FAMILY.has(c);
}

function encodeGbk(text: string): Buffer {
  const table = gbkEncoderTable();
  const out = Buffer.allocUnsafe(text.length * 2);
  let o = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    if (cp < 0x80) {
      out[o++] = cp;
      continue;
    }
    const code = cp <= 0xffff ? table.get(cp) : undefined;
    if (code === undefined) {
      out[o++] = 0x3f;
    } else {
      out[o++] = code >> 8;
      out[o++] = code & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Encodes a body in the given charset (utf-8 when absent). */
export function encodeBody(body: string | Uint8Array, charset: string | undefined): Buffer {
  if (typeof body !== 'string') return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const c = (charset ?? 'utf-8').toLowerCase();
  if (UTF8.has(c)) return Buffer.from(body, 'utf8');
  if (LATIN1.has(c)) return Buffer.from(body, 'latin1');
  if (GBK_FAMILY.has(c)) return encodeGbk(body);
  throw new Error(`testbed: cannot encode a string body as ${charset}; pass a Uint8Array body`);
}
