/**
 * Sealing a bundle: write the manifest over every file, record its hash in
 * custody, and (with a TSA) obtain an RFC 3161 token over the manifest. On a
 * later seal (after a recheck) the previous manifest and token are kept under
 * `timestamps/` — evidence files never change, so each earlier manifest still
 * checks against the bundle.
 */
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import type { Bundle } from './bundle.js';
import type { Custody } from './custody.js';
import { buildManifest, MANIFEST_FILE, TSR_FILE } from './manifest.js';
import { requestTimeStamp, type TimeStampVerification } from './tsa.js';

export interface SealOptions {
  tsa?: { url: string; certPem?: string } | null;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SealResult {
  manifestSha256: string;
  files: number;
  timestamp: { file: string; verification: TimeStampVerification } | { error: string } | null;
}

export async function sealCase(bundle: Bundle, custody: Custody, o: SealOptions = {}): Promise<SealResult> {
  if (await bundle.exists(MANIFEST_FILE)) {
    const { files } = await bundle.list();
    const k = 1 + files.filter((f) => /^timestamps\/seal-\d+-manifest-sha256\.txt$/.test(f)).length;
    const tag = `timestamps/seal-${String(k).padStart(3, '0')}`;
    const m = await bundle.write(`${tag}-manifest-sha256.txt`, await bundle.read(MANIFEST_FILE));
    await custody.append('archive', m.path, m.sha256);
    if (await bundle.exists(TSR_FILE)) {
      const t = await bundle.write(`${tag}.tsr`, await bundle.read(TSR_FILE));
      await custody.append('archive', t.path, t.sha256);
      await unlink(bundle.resolve(TSR_FILE));
    }
  }
  const manifest = await buildManifest(bundle);
  const w = await bundle.replace(MANIFEST_FILE, manifest.text);
  await custody.append('seal', MANIFEST_FILE, w.sha256);
  let timestamp: SealResult['timestamp'] = null;
  if (o.tsa) {
    const digest = createHash('sha256').update(manifest.text).digest();
    try {
      const r = await requestTimeStamp(o.tsa.url, digest, { timeoutMs: o.timeoutMs ?? 15_000, ...(o.signal ? { signal: o.signal } : {}), ...(o.tsa.certPem ? { trustedCertPem: o.tsa.certPem } : {}) });
      if (r.verification.ok) {
        const t = await bundle.replace(TSR_FILE, r.response);
        await custody.append('timestamp', TSR_FILE, t.sha256);
        timestamp = { file: TSR_FILE, verification: r.verification };
      } else {
        await custody.append('not-captured', `timestamp:${o.tsa.url}`, null);
        timestamp = { error: `the TSA's answer does not verify: ${r.verification.reason}` };
      }
    } catch (err) {
      await custody.append('not-captured', `timestamp:${o.tsa.url}`, null);
      timestamp = { error: `no time-stamp from ${o.tsa.url}: ${(err as Error).message}` };
    }
  }
  return { manifestSha256: w.sha256, files: manifest.entries.length, timestamp };
}
