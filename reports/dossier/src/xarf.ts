/**
 * The XARF v4 `content/phishing` report of a case, and its validation against
 * the shipped schema (see README for its source).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { sha256Hex, type CaseData } from '@govscan/case';

const addFormats = addFormatsModule.default;

export const xarfSchemaPath = fileURLToPath(new URL('../schema/xarf-v4-content-phishing.schema.json', import.meta.url));

let validator: ValidateFunction | undefined;

export function xarfSchemaErrors(doc: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(xarfSchemaPath, 'utf8')) as Record<string, unknown>);
  }
  return validator(doc) ? [] : [...(validator.errors ?? [])];
}

/** A UUID (version 4 layout) derived from the case id, so the report id is stable for a case. */
function uuidFrom(text: string): string {
  const h = sha256Hex(text).slice(0, 32).split('');
  h[12] = '4';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;

export function toXarf(data: CaseData, files: Map<string, Buffer>, fallbackDomain = 'example.invalid'): Record<string, unknown> {
  const genuineHost = data.attribution.site ? new URL(data.attribution.site.urls[0]!).hostname : null;
  const officeDomain = data.config.xarf?.domain ?? (genuineHost ? genuineHost.replace(/^www\./, '') : fallbackDomain);
  const party = { org: (data.config.xarf?.org ?? data.config.reportingUnit).slice(0, 200), contact: data.config.xarf?.contact ?? `webmaster@${officeDomain}`, domain: officeDomain };
  const dnsOf = (type: string): string[] => data.capture.dns.filter((d) => d.name === data.reported.host && d.type === type && d.status === 'ok').flatMap((d) => d.answers.filter((a) => a.type === type).map((a) => a.data));
  const ns = [...new Set(data.capture.dns.filter((d) => d.type === 'NS' && d.status === 'ok').flatMap((d) => d.answers.filter((a) => a.type === 'NS').map((a) => a.data)))];
  const fields = [...new Set(data.capture.profiles.flatMap((p) => p.forms.flatMap((f) => f.fields.map((x) => x.split(':')[1] || x.split(':')[0]!))))];
  const action = data.capture.profiles.flatMap((p) => p.forms).find((f) => f.collectsPassword && f.action && /^https?:/.test(f.action))?.action;
  const chain = [...new Set(data.capture.exchanges.filter((e) => e.profile === 'desktop').map((e) => e.url))];
  const evidence: Record<string, unknown>[] = [];
  for (const b of data.capture.browser) {
    if (b.profile === 'genuine' || !b.files.viewport) continue;
    const bytes = files.get(b.files.viewport);
    if (bytes && bytes.length <= MAX_EVIDENCE_BYTES) evidence.push({ content_type: 'image/png', description: `Screenshot of the reported page (${b.profile} client)`, payload: bytes.toString('base64'), hash: `sha256:${sha256Hex(bytes)}`, size: bytes.length });
  }
  for (const p of data.capture.profiles) {
    const bytes = p.page ? files.get(p.page) : undefined;
    if (bytes && bytes.length <= MAX_EVIDENCE_BYTES) evidence.push({ content_type: 'text/html', description: `HTML of the reported page as served to the ${p.profile} client`, payload: bytes.toString('base64'), hash: `sha256:${sha256Hex(bytes)}`, size: bytes.length });
  }
  const tls = data.capture.tls?.chain[0];
  const site = data.attribution.site;
  const description = `Counterfeit of the government website ${site ? `${site.name} (site code ${site.code}, ${site.urls[0]})` : '(not attributed)'} at ${data.reported.url}.${data.capture.cloaking.suspected ? ' Content differs by User-Agent (cloaking).' : ''} Case ${data.id}, captured ${data.capture.at}.`;
  const a = dnsOf('A');
  const aaaa = dnsOf('AAAA');
  const reportedHost = data.reported.host.replace(/^\[|\]$/g, '');
  const reportedIsIp = net.isIP(reportedHost) !== 0;
  return {
    xarf_version: '4.0.0',
    report_id: uuidFrom(data.id),
    timestamp: data.capture.at,
    reporter: party,
    sender: party,
    source_identifier: reportedHost,
    category: 'content',
    type: 'phishing',
    evidence_source: 'user_report',
    url: data.reported.url,
    // A site reported by its address has no domain: the field is for host names only.
    ...(reportedIsIp ? {} : { domain: reportedHost }),
    ...(ns.length ? { nameservers: ns } : {}),
    dns_records: { a, aaaa, mx: dnsOf('MX'), txt: dnsOf('TXT') },
    verified_at: data.capture.at,
    verification_method: 'automated_crawler',
    attack_vector: 'phishing',
    ...(site ? { target_brand: site.name, cloned_site: site.urls[0] } : {}),
    ...(fields.length ? { credential_fields: fields } : {}),
    ...(chain.length > 1 ? { redirect_chain: chain } : {}),
    ...(action ? { submission_url: action } : {}),
    ...(data.capture.cloaking.suspected ? { detection_evasion: ['user_agent_filtering'] } : {}),
    ...(tls ? { ssl_certificate: { issuer: tls.issuer, subject: tls.subject, valid_from: tls.validFrom, valid_to: tls.validTo, fingerprint: tls.fingerprint256 } } : {}),
    description: description.slice(0, 1000),
    confidence: site ? 0.95 : 0.5,
    tags: ['govscan:counterfeit-government-site', ...(site ? [`site-code:${site.code.toLowerCase()}`] : [])],
    evidence: evidence.slice(0, 50),
  };
}
