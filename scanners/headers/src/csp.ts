/**
 * Content Security Policy as a browser reads it (CSP Level 3 parsing): a
 * header value is a comma-separated list of policies, a policy a
 * semicolon-separated list of directives; a repeated directive is ignored
 * after its first appearance, unknown directives are ignored. Every policy
 * delivered is enforced, so a resource must pass all of them: a weakness
 * counts only when every policy has it.
 */

export const KNOWN_DIRECTIVES = new Set([
  'default-src', 'script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-elem', 'style-src-attr',
  'img-src', 'font-src', 'connect-src', 'media-src', 'object-src', 'frame-src', 'child-src', 'worker-src',
  'manifest-src', 'prefetch-src', 'fenced-frame-src', 'base-uri', 'form-action', 'frame-ancestors', 'navigate-to',
  'sandbox', 'report-uri', 'report-to', 'upgrade-insecure-requests', 'block-all-mixed-content',
  'require-trusted-types-for', 'trusted-types', 'plugin-types', 'require-sri-for', 'webrtc',
]);

/** Directives a `<meta http-equiv>` policy may not carry (HTML standard). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

const KEYWORDS = ['self', 'none', 'unsafe-inline', 'unsafe-eval', 'strict-dynamic', 'unsafe-hashes', 'report-sample', 'wasm-unsafe-eval', 'inline-speculation-rules'];

/** Sources that allow scripts from (nearly) anywhere. */
export const BROAD_SOURCES = new Set(['*', 'http:', 'https:', 'ftp:', 'http://*', 'https://*', 'http://*.*', 'https://*.*']);

export interface Policy {
  /** Directive name (lower case) to its source list (lower case), first occurrence only. */
  directives: Map<string, string[]>;
  problems: string[];
}

/** At most this many characters of one header value are read (browsers cap headers too). */
const MAX_POLICY_CHARS = 64 * 1024;

/** Parse one serialized policy. Never throws: what a browser would ignore is listed in `problems`. */
export function parsePolicy(text: string, from: 'header' | 'meta' = 'header'): Policy {
  const directives = new Map<string, string[]>();
  const problems: string[] = [];
  const source = text.length > MAX_POLICY_CHARS ? text.slice(0, MAX_POLICY_CHARS) : text;
  if (text.length > MAX_POLICY_CHARS) problems.push(`policy longer than ${MAX_POLICY_CHARS} characters: only the start was read`);
  for (const raw of source.split(';')) {
    const tokens = raw.trim().split(/[\t\n\f\r ]+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const name = tokens[0]!.toLowerCase();
    if (!/^[a-z0-9-]+$/.test(name)) {
      problems.push(`not a directive: "${shorten(tokens[0]!)}"`);
      continue;
    }
    if (!KNOWN_DIRECTIVES.has(name)) {
      problems.push(`unknown directive "${shorten(name)}" (ignored)`);
      continue;
    }
    if (directives.has(name)) {
      problems.push(`directive ${name} repeated (only the first counts)`);
      continue;
    }
    if (from === 'meta' && HEADER_ONLY.has(name)) {
      problems.push(`${name} is ignored in a <meta> policy`);
      continue;
    }
    const sources = tokens.slice(1).map((t) => t.toLowerCase());
    for (const s of sources) if (KEYWORDS.includes(s)) problems.push(`${name}: keyword ${s} without quotes (read as a host name)`);
    directives.set(name, sources);
  }
  if (directives.size === 0) problems.push('no directive recognised');
  return { directives, problems };
}

/** Split header values into policies (a comma separates policies) and parse each. */
export function parsePolicies(values: string[], from: 'header' | 'meta'): Policy[] {
  const texts = from === 'header' ? values.flatMap((v) => v.split(',')) : values;
  return texts.filter((t) => t.trim() !== '').map((t) => parsePolicy(t, from));
}

const isNonceOrHash = (s: string): boolean => /^'(nonce-|sha256-|sha384-|sha512-)/.test(s);

export interface PolicyWeaknesses {
  scriptSrcMissing: boolean;
  unsafeInline: boolean;
  unsafeEval: boolean;
  wildcardSources: string[];
  objectSrcMissing: boolean;
  strictDynamicWithoutNonce: boolean;
}

/** What one policy lets through. */
export function weaknesses(p: Policy): PolicyWeaknesses {
  const def = p.directives.get('default-src');
  const script = p.directives.get('script-src') ?? def;
  const nonceOrHash = script?.some(isNonceOrHash) ?? false;
  const strictDynamic = (script?.includes("'strict-dynamic'") ?? false) && nonceOrHash;
  const wildcards = new Set<string>();
  // Under 'strict-dynamic' (with a nonce or hash) host and scheme sources in script-src are ignored.
  if (script && !strictDynamic) for (const s of script) if (BROAD_SOURCES.has(s)) wildcards.add(s);
  if (def) for (const s of def) if (BROAD_SOURCES.has(s)) wildcards.add(s);
  return {
    scriptSrcMissing: script === undefined,
    unsafeInline: script === undefined || (script.includes("'unsafe-inline'") && !nonceOrHash) || (script.includes('data:') && !strictDynamic),
    unsafeEval: script === undefined || script.includes("'unsafe-eval'"),
    wildcardSources: [...wildcards],
    objectSrcMissing: !p.directives.has('object-src') && def === undefined,
    strictDynamicWithoutNonce: (script?.includes("'strict-dynamic'") ?? false) && !nonceOrHash,
  };
}

/** Weaknesses of a set of enforced policies: each holds only if every policy has it. */
export function combinedWeaknesses(policies: Policy[]): PolicyWeaknesses | null {
  if (policies.length === 0) return null;
  const each = policies.map(weaknesses);
  const all = (k: keyof Omit<PolicyWeaknesses, 'wildcardSources'>): boolean => each.every((w) => w[k]);
  const wild = each.every((w) => w.wildcardSources.length > 0) ? [...new Set(each.flatMap((w) => w.wildcardSources))] : [];
  return {
    scriptSrcMissing: all('scriptSrcMissing'),
    unsafeInline: all('unsafeInline'),
    unsafeEval: all('unsafeEval'),
    wildcardSources: wild,
    objectSrcMissing: all('objectSrcMissing'),
    strictDynamicWithoutNonce: each.some((w) => w.strictDynamicWithoutNonce),
  };
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
