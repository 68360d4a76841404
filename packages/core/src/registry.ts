import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { GovscanError, InputError, type InputProblem } from './errors.js';
import { SITE_KINDS, type Registry, type Site, type SiteKind } from './types.js';

/** 网站标识码: 6-digit division (or `bm` + 4 digits for central departments) + 4-digit sequence. */
export const SITE_CODE_PATTERN = /^(\d{6}|bm\d{4})\d{4}$/;
const DIVISION_PATTERN = /^\d{6}$/;

const FIELDS = ['code', 'name', 'unit', 'kind', 'division', 'urls', 'icp', 'psb', 'contact', 'own'] as const;
type Field = (typeof FIELDS)[number];
const REQUIRED: readonly Field[] = ['code', 'name', 'unit', 'kind', 'division', 'urls'];

/** Header names accepted in CSV registries, English or as the office's spreadsheet says. */
const CSV_HEADERS: Record<string, Field> = {
  code: 'code', 网站标识码: 'code',
  name: 'name', 网站名称: 'name',
  unit: 'unit', 主办单位: 'unit',
  kind: 'kind', 类型: 'kind', 网站类型: 'kind',
  division: 'division', 行政区划代码: 'division', 区划代码: 'division',
  urls: 'urls', url: 'urls', 网址: 'urls', 首页网址: 'urls',
  icp: 'icp', icp备案号: 'icp', ICP备案号: 'icp',
  psb: 'psb', 公安机关备案号: 'psb', 公安备案号: 'psb',
  contact: 'contact', 联系方式: 'contact',
  own: 'own', 自有网站: 'own',
};

/** One raw site as read from a file, with the line of each field. */
interface RawSite {
  index: number;
  line: number;
  values: Partial<Record<Field, unknown>>;
  /** Line of each field, and of each list item as `urls[0]`. */
  lines: Partial<Record<string, number>>;
  unknownFields: { name: string; line: number }[];
}

/** Read and validate a registry file (`.yaml`, `.yml` or `.csv`). Throws `InputError` listing every problem. */
/**
 * A registry file's text: UTF-8 (with or without a byte-order mark), or —
 * when the bytes are not UTF-8, as a CSV saved by Excel on Chinese Windows is
 * not — GB 18030 (which contains GBK and GB2312). Never U+FFFD names.
 */
export function decodeRegistryBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

export async function loadRegistry(file: string): Promise<Registry> {
  let text: string;
  try {
    text = decodeRegistryBytes(await readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new InputError('E_REGISTRY_READ', [{ file, line: 0, field: '', message: `cannot read registry (${code})` }]);
  }
  return parseRegistry(text, file);
}

/** Parse and validate registry text. `file` names the source in error messages and picks the format by extension. */
export function parseRegistry(text: string, file: string): Registry {
  const ext = path.extname(file).toLowerCase();
  const problems: InputProblem[] = [];
  let raw: { title?: string; sites: RawSite[] };
  if (ext === '.csv') raw = readCsv(text.replace(/^\uFEFF/, ''), file, problems);
  else raw = readYaml(text, file, problems);
  const sites = validateSites(raw.sites, file, problems);
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new InputError('E_REGISTRY_INVALID', problems);
  }
  const registry: Registry = { file, sites };
  if (raw.title !== undefined) registry.title = raw.title;
  return registry;
}

/**
 * A registry's YAML. The usual shape (`sites:` at the top level followed by a
 * block list) is read one site at a time: each item is its own small document,
 * so a 50 MB registry of 160,000 sites never becomes one 2 GB syntax tree.
 * Anything else (flow lists, several documents, an alias to another site's
 * anchor, any error) is read whole, so the messages are those of the whole file.
 */
function readYaml(text: string, file: string, problems: InputProblem[]): { title?: string; sites: RawSite[] } {
  const split = splitSiteItems(text);
  if (split) {
    const chunkProblems: InputProblem[] = [];
    const result = readYamlDocument(split.head, file, chunkProblems, 0, null);
    for (const item of split.items) {
      const part = readYamlDocument(item.text, file, chunkProblems, item.line - 1, result.sites.length);
      if (chunkProblems.length > 0) break;
      result.sites.push(...part.sites);
    }
    if (chunkProblems.length === 0) return result;
  }
  return readYamlDocument(text, file, problems, 0, null);
}

/** The `sites:` list's items as separate texts with their first lines, and the rest of the file with those lines blanked; null when the file is not in the usual shape. */
function splitSiteItems(text: string): { head: string; items: { text: string; line: number }[] } | null {
  if (text.length < 200_000) return null; // small files: one parse, nothing to gain
  const lines = text.split(/\r?\n/);
  let sitesLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^(---|\.\.\.)(\s|$)|^%/.test(l)) return null;
    if (/^sites\s*:\s*(#.*)?$/.test(l)) {
      if (sitesLine >= 0) return null;
      sitesLine = i;
    }
  }
  if (sitesLine < 0) return null;
  let indent = -1;
  const items: { text: string; line: number }[] = [];
  let start = -1;
  let end = lines.length;
  for (let i = sitesLine + 1; i < lines.length; i++) {
    const l = lines[i]!;
    const trimmed = l.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const ind = l.length - trimmed.length;
    if (l.slice(0, ind).includes('\t')) return null;
    const isItem = trimmed === '-' || trimmed.startsWith('- ');
    if (indent < 0) {
      if (!isItem) return null;
      indent = ind;
    }
    if (ind === indent && isItem) {
      if (start >= 0) items.push({ text: lines.slice(start, i).join('\n'), line: start + 1 });
      start = i;
    } else if (ind < indent || (ind === indent && !isItem)) {
      if (ind !== 0) return null;
      end = i;
      break;
    }
  }
  if (start < 0) return null;
  // trailing comment lines before the next top-level key stay with the last item
  items.push({ text: lines.slice(start, end).join('\n'), line: start + 1 });
  const head = [...lines.slice(0, sitesLine), lines[sitesLine]!.replace(/:.*$/, ': []'), ...lines.slice(sitesLine + 1, end).map(() => ''), ...lines.slice(end)].join('\n');
  return { head, items };
}

/** Read a whole registry document (`itemIndex` null), or one item of its `sites:` list read on its own (the index it has in the list). */
function readYamlDocument(text: string, file: string, problems: InputProblem[], lineOffset: number, itemIndex: number | null): { title?: string; sites: RawSite[] } {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 0 : lineOffset + lineCounter.linePos(offset).line);
  for (const e of doc.errors) {
    problems.push({ file, line: lineOf(e.pos[0]), field: '', message: `invalid YAML: ${firstLine(e.message)}` });
  }
  if (doc.errors.length > 0) return { sites: [] };
  // With aliases, values are taken from the document converted as a whole, aliases resolved
  // (at most 100 of them: no alias bomb). An alias in one site naming another site's anchor
  // fails here, and the file is read whole.
  let hasAlias = false;
  visit(doc, { Alias: () => ((hasAlias = true), visit.BREAK) });
  let js: unknown = null;
  if (hasAlias) {
    try {
      js = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      problems.push({ file, line: lineOffset + 1, field: '', message: `invalid YAML: ${firstLine((err as Error).message)}` });
      return { sites: [] };
    }
  }
  const root = doc.contents;
  const result: { title?: string; sites: RawSite[] } = { sites: [] };
  let sitesNode: unknown;
  const firstIndex = itemIndex ?? 0;
  if (itemIndex !== null) sitesNode = root;
  else {
    if (!isMap(root)) {
      problems.push({ file, line: 1, field: '', message: 'expected a mapping with a `sites:` list' });
      return { sites: [] };
    }
    const version = root.get('version');
    if (version !== undefined && version !== 1) {
      const node = root.get('version', true);
      problems.push({ file, line: lineOf(isScalar(node) ? node.range?.[0] : undefined), field: 'version', message: `unsupported registry version ${JSON.stringify(version)} (this govscan reads version 1)` });
    }
    const title = root.get('title');
    if (typeof title === 'string') result.title = title;
    sitesNode = root.get('sites', true);
    if (!isSeq(sitesNode)) {
      const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'sites');
      const line = pair && isScalar(pair.key) ? lineOf(pair.key.range?.[0]) : 1;
      problems.push({ file, line, field: 'sites', message: 'expected a list of sites' });
      return result;
    }
  }
  if (!isSeq(sitesNode)) {
    problems.push({ file, line: lineOffset + 1, field: `sites[${firstIndex}]`, message: 'expected a list item' });
    return result;
  }
  const jsSites = (js === null ? [] : itemIndex !== null ? js : (js as { sites?: unknown }).sites) as unknown[];
  sitesNode.items.forEach((item, i) => {
    const index = firstIndex + i;
    const jsItem = (jsSites[i] ?? null) as Record<string, unknown> | null;
    const line = lineOf((item as { range?: [number, number, number] }).range?.[0]);
    const rawSite: RawSite = { index, line, values: {}, lines: {}, unknownFields: [] };
    if (!isMap(item)) {
      problems.push({ file, line, field: `sites[${index}]`, message: 'expected a mapping of site fields' });
      result.sites.push(rawSite);
      return;
    }
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyLine = isScalar(pair.key) ? lineOf(pair.key.range?.[0]) : line;
      if (!(FIELDS as readonly string[]).includes(key)) {
        rawSite.unknownFields.push({ name: key, line: keyLine });
        continue;
      }
      const field = key as Field;
      const value = pair.value;
      rawSite.lines[field] = isScalar(value) || isSeq(value) || isMap(value) ? lineOf(value.range?.[0]) : keyLine;
      if (isSeq(value)) value.items.forEach((it, i) => (rawSite.lines[`${field}[${i}]`] = lineOf((it as { range?: [number, number, number] }).range?.[0])));
      rawSite.values[field] = jsItem ? (jsItem[key] ?? null) : isScalar(value) ? value.value : isSeq(value) || isMap(value) ? value.toJSON() : null;
    }
    result.sites.push(rawSite);
  });
  return result;
}

function readCsv(text: string, file: string, problems: InputProblem[]): { sites: RawSite[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    problems.push({ file, line: e.lines ?? 0, field: '', message: `invalid CSV: ${firstLine(e.message)}` });
    return { sites: [] };
  }
  const header = records[0];
  if (!header) {
    problems.push({ file, line: 1, field: '', message: 'empty CSV: expected a header row (code,name,unit,kind,division,urls,icp,psb,contact)' });
    return { sites: [] };
  }
  const columns: (Field | null)[] = header.record.map((h) => CSV_HEADERS[h] ?? CSV_HEADERS[h.toLowerCase()] ?? null);
  header.record.forEach((h, i) => {
    if (columns[i] === null) problems.push({ file, line: header.info.lines, field: h, message: `unknown column (known: ${FIELDS.join(', ')})` });
  });
  return {
    sites: records.slice(1).map(({ record, info }, index) => {
      const rawSite: RawSite = { index, line: info.lines, values: {}, lines: {}, unknownFields: [] };
      record.forEach((cell, i) => {
        const field = columns[i];
        if (!field || cell === '') return;
        rawSite.lines[field] = info.lines;
        rawSite.values[field] = field === 'urls' ? cell.split(/[\s;；]+/).filter(Boolean) : cell;
      });
      return rawSite;
    }),
  };
}

function validateSites(raws: RawSite[], file: string, problems: InputProblem[]): Site[] {
  const sites: Site[] = [];
  const codes = new Map<string, number>();
  const hosts = new Map<string, { line: number; code: string }>();
  for (const raw of raws) {
    const at = (field: Field | string, message: string): void => {
      const line = raw.lines[field] ?? raw.line;
      problems.push({ file, line, field: `sites[${raw.index}].${field}`, message });
    };
    for (const u of raw.unknownFields) {
      problems.push({ file, line: u.line, field: `sites[${raw.index}].${u.name}`, message: `unknown field (known: ${FIELDS.join(', ')})` });
    }
    const str = (field: Field): string | undefined => {
      const v = raw.values[field];
      if (v === undefined || v === null) return undefined;
      if (typeof v === 'string') return v.trim();
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      at(field, `expected text, got ${Array.isArray(v) ? 'a list' : typeof v}`);
      return undefined;
    };
    for (const f of REQUIRED) {
      if (raw.values[f] === undefined || raw.values[f] === null || raw.values[f] === '') at(f, 'is required');
    }
    const code = str('code');
    const name = str('name');
    const unit = str('unit');
    const kind = str('kind');
    const division = str('division');
    let ok = true;
    if (code !== undefined) {
      if (!SITE_CODE_PATTERN.test(code)) {
        at('code', `"${code}" is not a site code (网站标识码): expected 10 characters, 6 digits of division or "bm" + 4 digits, then 4 digits`);
        ok = false;
      } else if (codes.has(code)) {
        at('code', `duplicate site code "${code}" (first at line ${codes.get(code)})`);
        ok = false;
      } else codes.set(code, raw.lines.code ?? raw.line);
    }
    if (division !== undefined) {
      if (!DIVISION_PATTERN.test(division)) {
        at('division', `"${division}" is not a 6-digit administrative division code`);
        ok = false;
      } else if (code !== undefined && /^\d{6}/.test(code) && code.slice(0, 6) !== division) {
        at('division', `"${division}" does not match the division part "${code.slice(0, 6)}" of site code ${code}`);
        ok = false;
      }
    }
    if (kind !== undefined && !(SITE_KINDS as readonly string[]).includes(kind)) {
      at('kind', `unknown kind "${kind}" (expected one of: ${SITE_KINDS.join(', ')})`);
      ok = false;
    }
    const urlsValue = raw.values.urls;
    const urls: string[] = [];
    if (urlsValue !== undefined && urlsValue !== null) {
      const list = Array.isArray(urlsValue) ? urlsValue : [urlsValue];
      if (list.length === 0) at('urls', 'needs at least one URL');
      list.forEach((u, i) => {
        const field = `urls[${i}]`;
        if (typeof u !== 'string') {
          at(field, `expected a URL, got ${typeof u}`);
          ok = false;
          return;
        }
        const parsed = URL.canParse(u) ? new URL(u) : null;
        if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
          at(field, `"${u}" is not an http(s) URL`);
          ok = false;
          return;
        }
        const host = parsed.hostname.toLowerCase();
        const first = hosts.get(host);
        if (first && first.code !== code) {
          at(field, `host ${host} is already registered for site ${first.code} (line ${first.line})`);
          ok = false;
        } else if (!first) hosts.set(host, { line: raw.lines.urls ?? raw.line, code: code ?? '' });
        urls.push(parsed.href);
      });
    }
    if (!ok || !code || !name || !unit || !kind || !division || urls.length === 0) continue;
    const site: Site = { code, name, unit, kind: kind as SiteKind, division, urls, source: { file, line: raw.line } };
    const icp = str('icp');
    const psb = str('psb');
    const contact = str('contact');
    if (icp) site.icp = icp;
    if (psb) site.psb = psb;
    if (contact) site.contact = contact;
    const own = raw.values.own;
    if (own === true || own === 'true' || own === '是') site.own = true;
    else if (own !== undefined && own !== null && own !== false && own !== 'false' && own !== '否' && own !== '') {
      at('own', `expected true or false, got ${JSON.stringify(own)}`);
      continue;
    }
    sites.push(site);
  }
  if (raws.length === 0 && problems.length === 0) problems.push({ file, line: 1, field: 'sites', message: 'the registry lists no sites' });
  return sites;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** Host names of every registered URL, lower-case. */
export function registeredHosts(registry: Registry): Set<string> {
  const hosts = new Set<string>();
  for (const site of registry.sites) for (const u of site.urls) hosts.add(new URL(u).hostname.toLowerCase());
  return hosts;
}

/** Pick sites by code; unknown codes are a usage problem. */
export function selectSites(registry: Registry, codes: string[] | undefined): Site[] {
  if (!codes || codes.length === 0) return registry.sites;
  const byCode = new Map(registry.sites.map((s) => [s.code, s]));
  const missing = codes.filter((c) => !byCode.has(c));
  if (missing.length > 0) throw new GovscanError('E_USAGE', `unknown site code(s): ${missing.join(', ')}`, { exitCode: 2 });
  return codes.map((c) => byCode.get(c)!);
}
