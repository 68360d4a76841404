import { readFile } from 'node:fs/promises';
import { GovscanError } from '@govscan/core';
import YAML from 'yaml';
import type { CaseConfig } from './types.js';

/** Defaults: the office of the seed's circular. Every field can be set in --case-config. */
export const DEFAULT_CASE_CONFIG: CaseConfig = {
  addressee: '四川省通信管理局',
  reportingUnit: '雅安市人民政府办公室',
  contact: { name: '政务公开科', phone: '0835-2222222' },
  police: '雅安市公安局网络安全保卫支队',
  foundVia: '网友留言（我为政府网站找错）',
};

/** Read --case-config (YAML or JSON); unknown or mistyped fields are an input error (exit 2). */
export async function loadCaseConfig(file: string | undefined): Promise<CaseConfig> {
  if (!file) return structuredClone(DEFAULT_CASE_CONFIG);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new GovscanError('E_CASE_CONFIG', `--case-config: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, { exitCode: 2 });
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new GovscanError('E_CASE_CONFIG', `--case-config: ${file} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`, { exitCode: 2 });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new GovscanError('E_CASE_CONFIG', `--case-config: ${file} must hold a mapping`, { exitCode: 2 });
  const r = raw as Record<string, unknown>;
  const known = ['addressee', 'reportingUnit', 'contact', 'police', 'investigator', 'foundVia', 'firstSeenAt', 'reference', 'xarf'];
  const problems: string[] = [];
  for (const k of Object.keys(r)) if (!known.includes(k)) problems.push(`unknown field ${k}`);
  const str = (k: string): void => {
    if (r[k] !== undefined && typeof r[k] !== 'string') problems.push(`${k} must be text`);
  };
  for (const k of ['addressee', 'reportingUnit', 'police', 'investigator', 'foundVia', 'firstSeenAt', 'reference']) str(k);
  if (typeof r.firstSeenAt === 'string' && Number.isNaN(Date.parse(r.firstSeenAt))) problems.push('firstSeenAt is not a date-time (e.g. 2018-05-20T09:30:00+08:00)');
  const c = r.contact as Record<string, unknown> | undefined;
  if (c !== undefined && (typeof c !== 'object' || c === null || typeof c.name !== 'string' || typeof c.phone !== 'string')) problems.push('contact needs name and phone');
  const x = r.xarf as Record<string, unknown> | undefined;
  if (x !== undefined && (typeof x !== 'object' || x === null || typeof x.contact !== 'string' || typeof x.domain !== 'string')) problems.push('xarf needs contact (an e-mail address) and domain');
  if (problems.length) throw new GovscanError('E_CASE_CONFIG', `--case-config ${file}: ${problems.join('; ')}`, { exitCode: 2 });
  return { ...structuredClone(DEFAULT_CASE_CONFIG), ...(r as Partial<CaseConfig>) } as CaseConfig;
}
