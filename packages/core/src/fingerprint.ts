import { createHash } from 'node:crypto';

/**
 * Stable finding fingerprint: SHA-256 over a versioned prefix and the fields
 * (ruleId, site code, target, locator) in that fixed order, separated by the
 * ASCII unit separator, which none of the fields may contain. No timestamps,
 * no evidence: the same problem on the same site gets the same id every
 * quarter, so two runs can be diffed.
 */
export function findingFingerprint(ruleId: string, siteCode: string, target: string, locator: string): string {
  const fields = [ruleId, siteCode, target, locator];
  for (const f of fields) {
    if (f.includes('\x1f')) throw new TypeError(`fingerprint field contains a unit separator: ${JSON.stringify(f)}`);
  }
  const digest = createHash('sha256').update(['govscan-finding-v1', ...fields].join('\x1f'), 'utf8').digest('hex');
  return `gs1-${digest.slice(0, 32)}`;
}
