/**
 * Reading response headers as recorded by `@govscan/net`: lower-case names,
 * a string for a header sent once, an array for a header sent several times.
 */

export type HeaderMap = Record<string, string | string[]>;

/** Every field value of a header, in the order received (empty when absent). */
export function values(headers: HeaderMap, name: string): string[] {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The field values joined as one value (`a, b`), or null when the header is absent. */
export function joined(headers: HeaderMap, name: string): string | null {
  const v = values(headers, name);
  return v.length ? v.join(', ') : null;
}

/**
 * Header names for which node's HTTP parser (which the MDN HTTP Observatory
 * reads through axios) keeps the first value of a repeated header instead of
 * joining them. Everything else but Set-Cookie is joined with `, `.
 */
const FIRST_VALUE_ONLY = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);

/** A header as node's HTTP client presents it: Set-Cookie as a list, a few headers first-only, the rest joined. */
export function nodeView(headers: HeaderMap, name: string): string[] {
  const lc = name.toLowerCase();
  const v = values(headers, lc);
  if (v.length <= 1 || lc === 'set-cookie') return v;
  return FIRST_VALUE_ONLY.has(lc) ? [v[0]!] : [v.join(', ')];
}

/** Cut a value for a fact or an evidence line. */
export function cut(s: string, max = 300): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The media type of a Content-Type value, lower case, without parameters. */
export function mediaType(contentType: string | null): string | null {
  if (!contentType) return null;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t || null;
}
