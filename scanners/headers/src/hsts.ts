/**
 * Strict-Transport-Security as RFC 6797 defines it: `;`-separated
 * directives, names case-insensitive, values a token or a quoted string,
 * `max-age` required and made of digits, no directive twice. A header that
 * breaks the grammar is ignored by browsers. When the header is sent more
 * than once, only the first is processed (RFC 6797 §8.1).
 */

export interface HstsReading {
  valid: boolean;
  maxAge: number | null;
  includeSubDomains: boolean;
  preload: boolean;
  /** Why the header is not valid, in words, or null. */
  problem: string | null;
}

export function readHsts(value: string): HstsReading {
  const seen = new Set<string>();
  let maxAge: number | null = null;
  let includeSubDomains = false;
  let preload = false;
  const bad = (problem: string): HstsReading => ({ valid: false, maxAge: null, includeSubDomains, preload, problem });
  for (const part of value.split(';')) {
    const d = part.trim();
    if (d === '') continue;
    const eq = d.indexOf('=');
    const name = (eq === -1 ? d : d.slice(0, eq)).trim().toLowerCase();
    let v = eq === -1 ? null : d.slice(eq + 1).trim();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) return bad(`not a directive: "${short(name)}"`);
    if (seen.has(name)) return bad(`directive ${name} appears twice`);
    seen.add(name);
    if (v !== null && v.startsWith('"')) {
      if (!/^"[^"]*"$/.test(v)) return bad(`unterminated quoted value for ${name}`);
      v = v.slice(1, -1);
    }
    if (name === 'max-age') {
      if (v === null || !/^[0-9]+$/.test(v)) return bad(`max-age is not a number of seconds: "${short(v ?? '')}"`);
      maxAge = Number(v);
    } else if (name === 'includesubdomains') includeSubDomains = true;
    else if (name === 'preload') preload = true;
  }
  if (maxAge === null) return bad('no max-age directive');
  return { valid: true, maxAge, includeSubDomains, preload, problem: null };
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
