/**
 * Set-Cookie, read for its attributes only. Cookie values are dropped as
 * soon as a header is parsed: nothing here keeps, returns or logs them.
 */
import { parse as parseSetCookie } from 'set-cookie-parser';

export interface CookieFlags {
  /** The cookie's name, cut to 64 characters ('' for a nameless cookie). */
  name: string;
  secure: boolean;
  httpOnly: boolean;
  /** The SameSite attribute as written (lower case), or null when absent. */
  sameSite: string | null;
  /** SameSite is Strict, Lax or None (anything else is ignored by browsers). */
  sameSiteValid: boolean;
  /** A deletion (Max-Age ≤ 0 or an Expires in the past): not a cookie the browser keeps. */
  expired: boolean;
}

/** Parse Set-Cookie field values (one cookie each) into their flags, without values. */
export function cookieFlags(setCookies: string[], now: Date): CookieFlags[] {
  return setCookies.slice(0, 200).map((line) => {
    const [c] = parseSetCookie([line], { decodeValues: false, split: false });
    const sameSite = c?.sameSite === undefined ? null : c.sameSite.trim().toLowerCase();
    const expired = (c?.maxAge !== undefined && c.maxAge <= 0) || (c?.expires !== undefined && c.expires.getTime() < now.getTime());
    return {
      name: (c?.name ?? '').slice(0, 64),
      secure: c?.secure === true,
      httpOnly: c?.httpOnly === true,
      sameSite,
      sameSiteValid: sameSite !== null && ['strict', 'lax', 'none'].includes(sameSite),
      expired,
    };
  });
}

/** What a cookie lacks, in words: `no Secure, no SameSite`. Empty when it has all three. */
export function lacks(c: CookieFlags): string[] {
  const out: string[] = [];
  if (!c.secure) out.push('no Secure');
  if (!c.httpOnly) out.push('no HttpOnly');
  if (!c.sameSiteValid) out.push(c.sameSite === null ? 'no SameSite' : `SameSite="${c.sameSite.slice(0, 20)}" not valid`);
  return out;
}

export function displayName(name: string): string {
  return name === '' ? '(nameless)' : name;
}
