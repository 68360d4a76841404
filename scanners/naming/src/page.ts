/**
 * The homepage's identity: fetch it (and its frames when the tokens are not
 * on the page itself), decode it, extract the tokens, compare them with the
 * registry. Facts only; `null` wherever the page could not tell.
 */
import type { Attempt, Fact, FetchResult, Observation, ScanContext, Site } from '@govscan/core';
import { cutDeepNesting, decodeBody, DEFAULT_MAX_DEPTH, type DecodedPage } from '@govscan/html';

/** The observation kinds the homepage's reading decides. */
export const PAGE_KINDS = ['naming.identity', 'naming.page'] as const;
import { extractTokens, icpMatches, mergeTokens, nfkc, type PageTokens, type Token } from '@govscan/identity';

/** Frames are followed this deep (the homepage is depth 0) … */
const MAX_FRAME_DEPTH = 2;
/** … and at most this many documents are read in all. */
const MAX_DOCUMENTS = 6;

interface ReadDocument {
  url: string;
  result: FetchResult;
  decoded: DecodedPage | null;
  tokens: PageTokens | null;
  depth: number;
}

function contentType(r: FetchResult): string | null {
  const v = r.headers['content-type'];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function ok(r: FetchResult): boolean {
  return !r.error && r.status !== null && r.status >= 200 && r.status < 300;
}

function describe(r: FetchResult): string {
  if (r.error) return `GET ${r.url}: ${r.error.code} ${r.error.message}`;
  return `GET ${r.url}: ${r.status}${r.finalUrl !== r.url ? ` (final ${r.finalUrl})` : ''}, ${r.body.length} bytes${r.truncated ? ' (cut at the byte limit)' : ''}`;
}

/** The essentials every footer rule needs: when one is missing, frames are worth reading. */
function missingEssentials(t: PageTokens): boolean {
  return t.siteCodes.length === 0 || t.icp.length === 0 || t.psb.length === 0 || t.conac.length === 0 || t.jiucuo.length === 0 || t.sponsor.length === 0;
}

const norm = (s: string): string => nfkc(s).replace(/\s+/g, '').toLowerCase();
const digits = (s: string): string => s.replace(/\D/g, '');

const values = (ts: Token[]): string[] => [...new Set(ts.map((t) => t.value))];
const wheres = (ts: Token[]): string[] => [...new Set(ts.map((t) => `${t.value} @ ${t.where}`))];

export interface PageOutput {
  observations: Observation[];
  attempts: Attempt[];
}

export async function scanPage(site: Site, ctx: ScanContext): Promise<PageOutput> {
  const ref = { code: site.code, name: site.name };
  const attempts: Attempt[] = [];
  const at = (): string => ctx.now().toISOString();
  const url = site.urls[0]!;
  const docs: ReadDocument[] = [];
  const notes: string[] = [];
  /** Something could not be read (cut body, frames unread or failed): a token not found may still be there. */
  let incomplete = false;

  const read = async (u: string, depth: number): Promise<ReadDocument> => {
    const startedAt = at();
    const result = await ctx.net.fetch(u, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
    const check = depth === 0 ? 'identity:GET' : 'identity:frame';
    const attempt: Attempt = { scanner: 'naming', site: ref, target: u, check, status: result.error ? result.error.status : 'ok', startedAt, durationMs: result.timings.totalMs };
    if (result.error) attempt.error = { code: result.error.code, message: result.error.message };
    attempts.push(attempt);
    const doc: ReadDocument = { url: u, result, decoded: null, tokens: null, depth };
    if (ok(result)) {
      // a body cut at the byte limit: its last, cut-off piece (half a character, a token missing its end) is not read
      doc.decoded = decodeBody(result.body, contentType(result), result.truncated);
      const prefix = depth === 0 ? '' : `frame ${result.finalUrl}: `;
      doc.tokens = extractTokens(doc.decoded.text, result.finalUrl, prefix);
      if (result.truncated) {
        incomplete = true;
        notes.push(`${result.finalUrl}: body cut at ${result.body.length} bytes; tokens after the cut are not seen`);
      }
      if (cutDeepNesting(doc.decoded.text) !== null) {
        incomplete = true;
        notes.push(`${result.finalUrl}: elements nest deeper than ${DEFAULT_MAX_DEPTH} levels; the markup past that point is not read`);
      }
    } else if (depth > 0) {
      incomplete = true;
      notes.push(`frame ${u} not read: ${describe(result)}`);
    }
    docs.push(doc);
    return doc;
  };

  const home = await read(url, 0);
  const startedExtract = at();
  if (!home.tokens) {
    // The homepage did not load (or answered an error status): nothing can be said about its identity.
    const reason = home.result.error ? `${home.result.error.code}: ${home.result.error.message}` : `the homepage answered ${home.result.status}`;
    attempts.push({ scanner: 'naming', site: ref, target: url, check: 'identity:extract', status: 'unknown', error: { code: home.result.error ? home.result.error.code : `HTTP_${home.result.status}`, message: `identity tokens not read: ${reason}` }, startedAt: startedExtract, durationMs: 0, covers: [...PAGE_KINDS] });
    return { observations: [identityObservation(site, url, home, null, false, at(), [describe(home.result)])], attempts };
  }

  // Frames: read only while an essential token is still missing, breadth first, bounded.
  let merged = mergeTokens([home.tokens]);
  const queue: { url: string; depth: number }[] = home.tokens.frames.map((f) => ({ url: f, depth: 1 }));
  const visited = new Set<string>([url, home.result.finalUrl]);
  while (queue.length > 0 && missingEssentials(merged)) {
    const next = queue.shift()!;
    if (visited.has(next.url)) continue;
    visited.add(next.url);
    if (next.depth > MAX_FRAME_DEPTH || docs.length >= MAX_DOCUMENTS) {
      incomplete = true;
      const why = next.depth > MAX_FRAME_DEPTH ? `frames nested deeper than ${MAX_FRAME_DEPTH}` : `more than ${MAX_DOCUMENTS} documents`;
      notes.push(`frame ${next.url} not read: ${why}`);
      attempts.push({ scanner: 'naming', site: ref, target: next.url, check: 'identity:frame', status: 'unknown', error: { code: 'E_FRAME_LIMIT', message: `not read: ${why}` }, startedAt: at(), durationMs: 0 });
      continue;
    }
    const d = await read(next.url, next.depth);
    if (d.tokens) {
      merged = mergeTokens([merged, d.tokens]);
      for (const f of d.tokens.frames) if (!visited.has(f)) queue.push({ url: f, depth: next.depth + 1 });
    }
  }

  const missing = missingEssentials(merged) || [merged.meta.SiteName, merged.meta.SiteDomain, merged.meta.SiteIDCode, merged.title].includes(null);
  const extractAttempt: Attempt = { scanner: 'naming', site: ref, target: url, check: 'identity:extract', status: 'ok', startedAt: startedExtract, durationMs: 0, covers: [...PAGE_KINDS] };
  if (incomplete && missing) {
    extractAttempt.status = 'unknown';
    extractAttempt.error = { code: 'E_INCOMPLETE', message: `tokens not found may lie in what was not read: ${notes.join('; ')}` };
  }
  attempts.push(extractAttempt);

  const evidence = docs.map((d) => describe(d.result));
  if (home.decoded) evidence.push(`charset ${home.decoded.charset} (from ${home.decoded.source}${home.decoded.declared ? `, declared ${home.decoded.declared}` : ''}${home.decoded.mismatch ? ', the declaration does not fit the bytes' : ''})`);
  evidence.push(...notes);
  const identity = identityObservation(site, url, home, merged, incomplete, at(), evidence);
  const page = pageObservation(site, url, home, docs, merged, incomplete, at(), evidence);
  return { observations: [identity, page], attempts };
}

/** The identity as the page shows it: other scanners and the reports read this. */
function identityObservation(site: Site, url: string, home: ReadDocument, t: PageTokens | null, incomplete: boolean, observedAt: string, evidence: string[]): Observation {
  const first = (ts: Token[] | undefined): string | null => ts?.[0]?.value ?? null;
  const textCode = t?.siteCodes.find((x) => x.where.endsWith('text'));
  const psbText = t?.psb.find((x) => /公网安备/u.test(x.value));
  return {
    scanner: 'naming',
    kind: 'naming.identity',
    site: { code: site.code, name: site.name },
    target: url,
    locator: 'homepage',
    facts: {
      url,
      finalUrl: home.result.finalUrl,
      loaded: t !== null,
      complete: t === null ? null : !incomplete,
      siteCode: textCode?.value ?? first(t?.siteCodes),
      icp: first(t?.icp),
      psb: psbText?.value ?? first(t?.psb),
      conacId: first(t?.conac),
      sponsor: first(t?.sponsor),
      contact: first(t?.contact),
      name: t?.meta.SiteName ?? t?.title ?? null,
      title: t?.title ?? null,
      siteDomain: t?.meta.SiteDomain ?? null,
      sources: t
        ? {
            siteCode: t.siteCodes.map((x) => ({ value: x.value, where: x.where })),
            icp: t.icp.map((x) => ({ value: x.value, where: x.where })),
            psb: t.psb.map((x) => ({ value: x.value, where: x.where })),
            conac: t.conac.map((x) => ({ value: x.value, where: x.where })),
            jiucuo: t.jiucuo.map((x) => ({ value: x.value, where: x.where })),
            sponsor: t.sponsor.map((x) => ({ value: x.value, where: x.where })),
            contact: t.contact.map((x) => ({ value: x.value, where: x.where })),
          }
        : null,
    },
    evidence,
    observedAt,
  };
}

/** What the naming rules judge. A token not found on an incompletely read page is `null`, not `false`. */
function pageObservation(site: Site, url: string, home: ReadDocument, docs: ReadDocument[], t: PageTokens, incomplete: boolean, observedAt: string, evidence: string[]): Observation {
  const found = (n: number): boolean | null => (n > 0 ? true : incomplete ? null : false);
  const code = site.code.toLowerCase();
  const textCodes = t.siteCodes.filter((x) => x.where.endsWith('text'));
  const icpAll = values(t.icp);
  const psbText = values(t.psb.filter((x) => /公网安备/u.test(x.value)));
  const psbDigits = [...new Set(t.psb.map((x) => digits(x.value)))];
  const metaMissing = (['SiteName', 'SiteDomain', 'SiteIDCode'] as const).filter((k) => t.meta[k] === null);
  const name = norm(site.name);
  const contains = (s: string | null): boolean | null => (s === null ? (incomplete ? null : false) : norm(s).includes(name));
  const facts: Record<string, Fact> = {
    url,
    finalUrl: home.result.finalUrl,
    status: home.result.status,
    documents: docs.length,
    frames: docs.filter((d) => d.depth > 0).map((d) => d.url),
    truncated: home.result.truncated,
    complete: !incomplete,
    charset: home.decoded?.charset ?? null,
    charsetSource: home.decoded?.source ?? null,
    charsetDeclared: home.decoded?.declared ?? null,
    charsetMismatch: home.decoded?.mismatch ?? null,
    footerFound: t.footerFound,

    siteCode: code,
    siteCodesShown: values(textCodes),
    siteCodeMeta: t.meta.SiteIDCode,
    siteCodeJiucuo: t.siteCodes.find((x) => x.where.includes('[sitecode]'))?.value ?? null,
    siteCodeShown: textCodes.some((x) => x.value === code) ? true : incomplete ? null : false,
    siteCodeOthers: values(t.siteCodes.filter((x) => x.value !== code)),
    siteCodeWhere: wheres(t.siteCodes),

    icp: icpAll[0] ?? null,
    icpAll,
    icpRegistry: site.icp ?? null,
    icpFound: found(icpAll.length),
    icpMatchesRegistry: site.icp && icpAll.length ? icpAll.some((x) => icpMatches(x, site.icp!)) : null,
    icpWhere: wheres(t.icp),

    psb: psbText[0] ?? null,
    psbAll: psbText,
    psbRegistry: site.psb ?? null,
    psbFound: found(psbText.length),
    psbMatchesRegistry: site.psb && psbDigits.length ? psbDigits.includes(digits(site.psb)) : null,
    psbWhere: wheres(t.psb),

    conacFound: found(t.conac.length),
    conacId: t.conac[0]?.value ?? null,
    conacWhere: wheres(t.conac),
    jiucuoFound: found(t.jiucuo.length),
    jiucuoWhere: wheres(t.jiucuo),

    sponsor: t.sponsor[0]?.value ?? null,
    sponsorFound: found(t.sponsor.length),
    sponsorIsUnit: t.sponsor.length ? t.sponsor.some((x) => norm(x.value).includes(norm(site.unit)) || norm(site.unit).includes(norm(x.value))) : null,
    contact: t.contact[0]?.value ?? null,
    contactFound: found(t.contact.length),

    metaSiteName: t.meta.SiteName,
    metaSiteDomain: t.meta.SiteDomain,
    metaSiteIDCode: t.meta.SiteIDCode,
    metaMissing: metaMissing.length && incomplete ? null : metaMissing,

    name: site.name,
    title: t.title,
    titleHasName: contains(t.title),
    siteNameHasName: contains(t.meta.SiteName),
  };
  return { scanner: 'naming', kind: 'naming.page', site: { code: site.code, name: site.name }, target: url, locator: 'homepage', facts, evidence, observedAt };
}
