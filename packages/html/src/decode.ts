/**
 * Decode a page's bytes the way a browser of a Chinese government site's
 * visitors would: by the Content-Type charset, then `<meta charset>` /
 * `<meta http-equiv=Content-Type>`, then a byte-order mark, and when none is
 * declared by sniffing (valid UTF-8, else GB18030, the superset of GBK and
 * GB2312). A declared charset that the bytes contradict is reported as
 * `mismatch`: UTF-8 declared but not valid UTF-8 is decoded as GB18030; a GBK
 * family charset declared over valid multi-byte UTF-8 is decoded as UTF-8.
 */

export type CharsetSource = 'header' | 'meta' | 'bom' | 'sniff';

export interface DecodedPage {
  text: string;
  /** WHATWG encoding name used, e.g. `utf-8`, `gbk`, `gb18030`. */
  charset: string;
  source: CharsetSource;
  /** The charset the page declared (header or meta), as written, or null. */
  declared: string | null;
  /** The declared charset did not fit the bytes. */
  mismatch: boolean;
}

/** How far into the body `<meta charset>` is looked for (the HTML standard's prescan uses 1024 bytes; real pages put it later). */
const META_PRESCAN_BYTES = 4096;

function normalise(label: string | null | undefined): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().toLowerCase()).encoding;
  } catch {
    return null;
  }
}

export function charsetFromContentType(contentType: string | null | undefined): string | null {
  const m = /charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '');
  return m ? m[1]! : null;
}

export function charsetFromMeta(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, META_PRESCAN_BYTES)).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)/i.exec(head);
  return m ? m[1]! : null;
}

function bom(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return null;
}

/** Valid UTF-8, allowing one incomplete sequence at the very end (a body cut at a byte limit ends mid-character). */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decode a body by its declared or sniffed charset. A body `cut` at a byte
 * limit loses its last, cut-off piece (see {@link dropCutTail}), so nothing read
 * from the text was cut.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string | null, cut = false): DecodedPage {
  const fromHeader = charsetFromContentType(contentType);
  const fromMeta = fromHeader ? null : charsetFromMeta(bytes);
  const declared = fromHeader ?? fromMeta;
  const source: CharsetSource | null = fromHeader ? 'header' : fromMeta ? 'meta' : null;
  let charset = normalise(declared);
  let mismatch = declared !== null && charset === null; // an unknown label is a lie too
  let used: CharsetSource = source ?? 'sniff';
  if (charset === 'utf-8' && !isUtf8(stripBom(bytes))) {
    charset = 'gb18030';
    mismatch = true;
  } else if (charset !== null && GBK_FAMILY.has(charset) && hasMultibyteUtf8(bytes)) {
    // Declared GBK, but the bytes are valid UTF-8 with multi-byte sequences: GBK text
    // almost never is, so the declaration lies and the page is UTF-8.
    charset = 'utf-8';
    mismatch = true;
  }
  if (charset === null) {
    const b = bom(bytes);
    if (b) {
      charset = b;
      used = 'bom';
    } else {
      charset = isUtf8(bytes) ? 'utf-8' : 'gb18030';
      used = 'sniff';
    }
  }
  const text = new TextDecoder(charset).decode(bytes); // drops a matching BOM itself
  return { text: cut ? dropCutTail(text) : text, charset, source: used, declared, mismatch };
}

const GBK_FAMILY = new Set(['gbk', 'gb18030']);

/** Valid UTF-8 holding at least `min` multi-byte sequences (a few, so one stray pair of GBK bytes never decides). */
function hasMultibyteUtf8(bytes: Uint8Array, min = 4): boolean {
  let n = 0;
  for (let i = 0; i < bytes.length && n < min; i++) if (bytes[i]! >= 0xc2 && bytes[i]! <= 0xf4) n++;
  return n >= min && isUtf8(bytes);
}

function stripBom(bytes: Uint8Array): Uint8Array {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/**
 * The text of a body cut at the byte limit, without its last, cut-off piece:
 * everything after the last complete tag (`>`) goes — the half of a character,
 * a footer token missing its end (`蜀ICP备05005390号` of `…号-1`), half a tag.
 * What is left ends where the markup ended, so nothing read from it was cut.
 */
function dropCutTail(text: string): string {
  const end = text.lastIndexOf('>');
  return end < 0 ? '' : text.slice(0, end + 1);
}
