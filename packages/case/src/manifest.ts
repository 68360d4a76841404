/**
 * `manifest-sha256.txt`: one line per bundle file in `sha256sum` format
 * (`<64 hex>  <path>`), sorted by path, so `sha256sum -c manifest-sha256.txt`
 * run inside the bundle checks every file. Left out: the manifest itself, its
 * timestamp token (which covers the manifest) and `custody.jsonl` (append-only,
 * protected by its own hash chain, whose `seal` lines name the manifest's hash).
 */
import { Bundle, sha256Hex } from './bundle.js';
import { CUSTODY_FILE } from './custody.js';

export const MANIFEST_FILE = 'manifest-sha256.txt';
export const TSR_FILE = 'manifest.tsr';
export const NOT_IN_MANIFEST = new Set([MANIFEST_FILE, TSR_FILE, CUSTODY_FILE]);

export interface ManifestEntry {
  sha256: string;
  path: string;
}

export async function buildManifest(bundle: Bundle): Promise<{ text: string; entries: ManifestEntry[] }> {
  const { files } = await bundle.list();
  const entries: ManifestEntry[] = [];
  for (const f of files) {
    if (NOT_IN_MANIFEST.has(f)) continue;
    entries.push({ sha256: sha256Hex(await bundle.read(f)), path: f });
  }
  return { text: entries.map((e) => `${e.sha256}  ${e.path}\n`).join(''), entries };
}

export function parseManifest(text: string): { entries: ManifestEntry[] } | { line: number; reason: string } {
  const entries: ManifestEntry[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(lines[i]!);
    if (!m) return { line: i + 1, reason: 'not a sha256sum line' };
    entries.push({ sha256: m[1]!, path: m[2]! });
  }
  return { entries };
}
