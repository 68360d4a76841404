import { describe, expect, it } from 'vitest';
import { findingFingerprint } from './fingerprint.js';

describe('findingFingerprint', () => {
  it('is stable across calls and independent of anything but its four fields', () => {
    const a = findingFingerprint('census.slow', '5118000022', 'https://www.yaan.gov.cn/', 'homepage');
    expect(a).toBe(findingFingerprint('census.slow', '5118000022', 'https://www.yaan.gov.cn/', 'homepage'));
    expect(a).toMatch(/^gs1-[0-9a-f]{32}$/);
  });

  it('changes when any field changes', () => {
    const base = ['census.slow', '5118000022', 'https://www.yaan.gov.cn/', 'homepage'] as const;
    const ids = new Set([findingFingerprint(...base)]);
    for (let i = 0; i < 4; i++) {
      const f = [...base] as [string, string, string, string];
      f[i] = f[i] + 'x';
      ids.add(findingFingerprint(...f));
    }
    expect(ids.size).toBe(5);
  });

  it('keeps field boundaries: moving text between fields changes the id', () => {
    expect(findingFingerprint('a', 'bc', 't', 'l')).not.toBe(findingFingerprint('ab', 'c', 't', 'l'));
  });

  it('has a known value, so a change of algorithm is noticed', () => {
    expect(findingFingerprint('r', 's', 't', 'l')).toBe('gs1-4766bdf6fb0b26177ca8cbce662e2f31');
    expect(() => findingFingerprint('r\x1f', 's', 't', 'l')).toThrow(/unit separator/);
  });
});
