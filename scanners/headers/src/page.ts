/**
 * What the homepage's HTML says about its security: policies in <meta>, the
 * scripts it loads (and with what integrity), and what an HTTPS page loads
 * over plain http://. Parsed with @govscan/html (htmlparser2), decoded by
 * the page's declared charset (GBK and GB2312 included).
 */
import { attr, decodeBody, elements, parseHtml, type Element } from '@govscan/html';
import { getDomain } from 'tldts';

export interface ScriptTag {
  /** The src attribute as written (trimmed), or null for an inline script. */
  src: string | null;
  /** The src resolved against the page (and its <base>), or null when it does not resolve. */
  url: string | null;
  integrity: string | null;
}

export interface PageFacts {
  charset: string;
  charsetSource: string;
  charsetDeclared: string | null;
  charsetMismatch: boolean;
  /** Contents of <meta http-equiv="Content-Security-Policy">. */
  metaCsp: string[];
  /** Content of the last <meta name="referrer">, or null. */
  metaReferrer: string | null;
  scripts: ScriptTag[];
  /** Resources an HTTPS page loads over http:// that can act on the page: scripts, stylesheets, frames, objects. */
  mixedActive: string[];
  /** Resources an HTTPS page loads over http:// that are only displayed: images, audio, video. */
  mixedPassive: string[];
}

/** Elements (and the attribute naming what they load) that can act on the page when loaded over http://. */
const ACTIVE: Record<string, string[]> = { script: ['src'], iframe: ['src'], frame: ['src'], object: ['data'], embed: ['src'] };
/** Elements that are only displayed. */
const PASSIVE: Record<string, string[]> = { img: ['src', 'srcset'], audio: ['src'], video: ['src', 'poster'], source: ['src', 'srcset'] };

function resolve(ref: string, base: string): URL | null {
  try {
    return new URL(ref, base);
  } catch {
    return null;
  }
}

/** URLs named by an attribute (a srcset names several). */
function refs(value: string, attribute: string): string[] {
  if (attribute !== 'srcset') return [value.trim()];
  return value.split(',').map((c) => c.trim().split(/\s+/)[0] ?? '').filter(Boolean);
}

/** Decode, parse and read a homepage, in one walk over its elements. `url` is the page's final URL. */
export function readPage(body: Uint8Array, contentType: string | null, url: string): PageFacts {
  const decoded = decodeBody(body, contentType);
  const all = elements(parseHtml(decoded.text));
  let base = url;
  for (const el of all) {
    if (el.name !== 'base') continue;
    const href = attr(el, 'href');
    if (href !== null) {
      base = resolve(href, url)?.href ?? url;
      break;
    }
  }
  const secure = url.startsWith('https:');
  const metaCsp: string[] = [];
  let metaReferrer: string | null = null;
  const scripts: ScriptTag[] = [];
  const active = new Set<string>();
  const passive = new Set<string>();
  const insecure = (el: Element, attributes: string[], into: Set<string>): void => {
    for (const a of attributes) {
      const v = attr(el, a);
      if (v === null) continue;
      for (const ref of refs(v, a)) {
        const u = resolve(ref, base);
        if (u?.protocol === 'http:') into.add(u.href);
      }
    }
  };
  for (const el of all) {
    const name = el.name;
    if (name === 'meta') {
      const equiv = attr(el, 'http-equiv');
      const content = attr(el, 'content');
      if (equiv !== null && content !== null) {
        if (equiv.trim().toLowerCase() === 'content-security-policy') metaCsp.push(content);
      } else if ((attr(el, 'name') ?? '').trim().toLowerCase() === 'referrer' && content) {
        metaReferrer = content;
      }
      continue;
    }
    if (name === 'script') {
      const src = attr(el, 'src');
      scripts.push({ src: src === null ? null : src.trim(), url: src === null ? null : (resolve(src.trim(), base)?.href ?? null), integrity: attr(el, 'integrity') });
    }
    if (!secure) continue;
    if (name === 'link') {
      if ((attr(el, 'rel') ?? '').toLowerCase().split(/\s+/).includes('stylesheet')) insecure(el, ['href'], active);
    } else if (name === 'input') {
      if ((attr(el, 'type') ?? '').toLowerCase() === 'image') insecure(el, ['src'], passive);
    } else if (ACTIVE[name]) insecure(el, ACTIVE[name], active);
    else if (PASSIVE[name]) insecure(el, PASSIVE[name], passive);
  }
  return {
    charset: decoded.charset,
    charsetSource: decoded.source,
    charsetDeclared: decoded.declared,
    charsetMismatch: decoded.mismatch,
    metaCsp,
    metaReferrer,
    scripts,
    mixedActive: [...active],
    mixedPassive: [...passive],
  };
}

/** The registrable domain (eTLD+1) of a host, from the Public Suffix List; the host itself for IPs and single labels. */
export function siteOf(host: string): string {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return getDomain(h) ?? h;
}

/** Scripts loaded from another site (registrable domain) than the page's, over http(s). */
export function thirdPartyScripts(scripts: ScriptTag[], pageUrl: string): ScriptTag[] {
  const own = siteOf(new URL(pageUrl).hostname);
  return scripts.filter((s) => {
    if (s.url === null) return false;
    const u = new URL(s.url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && siteOf(u.hostname) !== own;
  });
}
