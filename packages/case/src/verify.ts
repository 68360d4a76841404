/**
 * `govscan verify CASE-DIR`: the manifest (every listed file present with its
 * hash, no unlisted file), the custody chain (every line linked to the one
 * before, the last seal naming the current manifest, every recorded file hash
 * still the file's), and the RFC 3161 token(s) over the manifest(s). The
 * first failure is named: a file, or `custody.jsonl:LINE`.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { GovscanError } from '@govscan/core';
import { Bundle, BundleEscapeError, sha256Hex } from './bundle.js';
import { CUSTODY_FILE, verifyCustodyText } from './custody.js';
import { MANIFEST_FILE, NOT_IN_MANIFEST, parseManifest, TSR_FILE } from './manifest.js';
import { verifyTimeStamp } from './tsa.js';

export interface VerifyCheck {
  name: 'manifest' | 'custody' | 'timestamp';
  ok: boolean;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  checks: VerifyCheck[];
  /** The first failure: a bundle path or `custody.jsonl:N`, with why. */
  firstFailure: string | null;
}

export async function verifyCase(dir: string, o: { trustedTsaCertPem?: string } = {}): Promise<VerifyResult> {
  const bundle = new Bundle(dir);
  try {
    if (!(await lstat(bundle.root)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new GovscanError('E_CASE_DIR', `verify: ${dir} is not a case folder`, { exitCode: 2 });
  }
  if (!(await bundle.exists(MANIFEST_FILE)) || !(await bundle.exists(CUSTODY_FILE))) {
    throw new GovscanError('E_CASE_DIR', `verify: ${dir} is not a case bundle (${MANIFEST_FILE} or ${CUSTODY_FILE} missing)`, { exitCode: 2 });
  }
  const checks: VerifyCheck[] = [];
  let firstFailure: string | null = null;
  const failed = (name: VerifyCheck['name'], where: string, why: string): void => {
    checks.push({ name, ok: false, detail: `${where}: ${why}` });
    firstFailure ??= `${where}: ${why}`;
  };

  // 1. Manifest.
  const manifestBytes = await bundle.read(MANIFEST_FILE);
  const manifestText = manifestBytes.toString('utf8');
  const parsed = parseManifest(manifestText);
  const current = new Map<string, string>();
  const { files, others } = await bundle.list();
  // A file whose name govscan never writes (a dotfile, another script) was added to the bundle: a failed check naming it, not an internal error.
  const strangers: string[] = [];
  for (const f of files) {
    let full: string;
    try {
      full = bundle.resolve(f);
    } catch (err) {
      if (err instanceof BundleEscapeError) {
        strangers.push(f);
        continue;
      }
      throw err;
    }
    current.set(f, sha256Hex(await readFile(full)));
  }
  if ('line' in parsed) failed('manifest', `${MANIFEST_FILE}:${parsed.line}`, parsed.reason);
  else {
    let bad: string | null = null;
    const listed = new Set<string>();
    for (const e of parsed.entries) {
      listed.add(e.path);
      const have = current.get(e.path);
      if (have === undefined) {
        bad = `${e.path}: listed in the manifest but missing`;
        break;
      }
      if (have !== e.sha256) {
        bad = `${e.path}: SHA-256 mismatch (manifest ${e.sha256}, file ${have})`;
        break;
      }
    }
    if (!bad && strangers.length) bad = `${strangers[0]}: not listed in the manifest (added to the bundle after it was sealed)`;
    if (!bad) for (const f of files) if (!listed.has(f) && !NOT_IN_MANIFEST.has(f)) { bad = `${f}: not listed in the manifest`; break; }
    if (!bad && others.length) bad = `${others[0]}: not a regular file`;
    if (bad) {
      const idx = bad.indexOf(': ');
      failed('manifest', bad.slice(0, idx), bad.slice(idx + 2));
    } else checks.push({ name: 'manifest', ok: true, detail: `${parsed.entries.length} files match ${MANIFEST_FILE}` });
  }

  // 2. Custody chain.
  const custodyText = (await bundle.read(CUSTODY_FILE)).toString('utf8');
  const chain = verifyCustodyText(custodyText);
  if (!chain.ok) failed('custody', `${CUSTODY_FILE}:${chain.line}`, chain.reason);
  else {
    const manifestHash = sha256Hex(manifestBytes);
    const seals = chain.entries.map((e, i) => ({ e, line: i + 1 })).filter((x) => x.e.action === 'seal');
    const last = seals.at(-1);
    let bad: string | null = null;
    if (!last) bad = `${CUSTODY_FILE}: no seal line`;
    else if (last.e.sha256 !== manifestHash) bad = `${CUSTODY_FILE}:${last.line}: the last seal names manifest ${last.e.sha256}, the manifest's SHA-256 is ${manifestHash}`;
    if (!bad) {
      for (let i = 0; i < chain.entries.length; i++) {
        const e = chain.entries[i]!;
        if (!e.sha256 || e.object === MANIFEST_FILE || e.object === TSR_FILE) continue;
        const have = current.get(e.object);
        if (have !== undefined && have !== e.sha256) {
          bad = `${e.object}: its hash at capture time (${CUSTODY_FILE}:${i + 1}) was ${e.sha256}, now ${have}`;
          break;
        }
      }
    }
    if (bad) {
      const idx = bad.indexOf(': ');
      failed('custody', bad.slice(0, idx), bad.slice(idx + 2));
    } else checks.push({ name: 'custody', ok: true, detail: `${chain.entries.length} lines, hash chain intact, last seal matches the manifest` });
  }

  // 3. Time-stamp tokens: the current one over the manifest, archived ones over archived manifests.
  const pairs: { tsr: string; manifest: string }[] = [];
  if (current.has(TSR_FILE)) pairs.push({ tsr: TSR_FILE, manifest: MANIFEST_FILE });
  for (const f of files) {
    const m = /^(timestamps\/seal-\d+)\.tsr$/.exec(f);
    if (m) pairs.push({ tsr: f, manifest: `${m[1]}-manifest-sha256.txt` });
  }
  for (const p of pairs) {
    const mBytes = current.has(p.manifest) ? await bundle.read(p.manifest) : null;
    if (!mBytes) {
      failed('timestamp', p.tsr, `its manifest ${p.manifest} is missing`);
      continue;
    }
    const v = verifyTimeStamp(await bundle.read(p.tsr), createHash('sha256').update(mBytes).digest(), o.trustedTsaCertPem ? { trustedCertPem: o.trustedTsaCertPem } : {});
    if (!v.ok) failed('timestamp', p.tsr, v.reason ?? 'does not verify');
    else checks.push({ name: 'timestamp', ok: true, detail: `${p.tsr}: RFC 3161 token over ${p.manifest}, signed ${v.genTime} by ${v.tsa}` });
  }
  if (pairs.length === 0) checks.push({ name: 'timestamp', ok: true, detail: 'no time-stamp token in the bundle (none was asked for)' });
  return { ok: firstFailure === null, checks, firstFailure };
}
