/**
 * The lookalike transformation vocabulary: how a reported host was made from
 * a registered one (suffix appended, dots to hyphens, another ending, a typo,
 * look-alike characters, the genuine name embedded), in words for a dossier.
 */
import { domainToUnicode } from 'node:url';

export type LookalikeKind =
  | 'suffix-appended'
  | 'dot-to-hyphen'
  | 'tld-swap'
  | 'label-embedded'
  | 'typo'
  | 'homoglyph'
  | 'same-host';

export interface LookalikeMatch {
  kind: LookalikeKind;
  genuineHost: string;
  /** What was done to the genuine name, in Chinese, for the dossier. */
  zh: string;
  en: string;
}

/** Map of confusable characters (Cyrillic, Greek, full-width) to the ASCII letters they imitate. */
const CONFUSABLE: Record<string, string> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', һ: 'h', ӏ: 'l', ո: 'n', ν: 'v', ο: 'o', α: 'a', ı: 'i',
};

export function skeleton(host: string): string {
  const uni = domainToUnicode(host) || host;
  return [...uni.normalize('NFKC').toLowerCase()].map((c) => CONFUSABLE[c] ?? c).join('');
}

function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

const stripWww = (h: string): string => h.replace(/^www\d*\./, '');
/** The name without its public ending, e.g. yaan.gov.cn → yaan; yaan-gov.cn → yaan-gov. */
function stem(h: string): string {
  const labels = stripWww(h).split('.');
  const suffixes = ['gov.cn', 'com.cn', 'net.cn', 'org.cn', 'edu.cn', 'cn.com'];
  for (const s of suffixes) if (labels.join('.').endsWith(`.${s}`)) return labels.slice(0, -s.split('.').length).join('.');
  return labels.slice(0, -1).join('.');
}

/** How `host` was made from `genuine`, if it was made from it in a way people are fooled by. */
export function lookalikeTransformation(host: string, genuine: string): LookalikeMatch | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  const g = genuine.toLowerCase().replace(/\.$/, '');
  if (h === g) return { kind: 'same-host', genuineHost: g, zh: '与登记域名相同', en: 'the registered host itself' };
  const gb = stripWww(g);
  if (h.startsWith(`${g}.`) || h.startsWith(`${gb}.`)) {
    const added = h.slice((h.startsWith(`${g}.`) ? g : gb).length);
    return { kind: 'suffix-appended', genuineHost: g, zh: `在真实域名 ${g} 之后追加“${added}”，使其看似政府域名`, en: `"${added}" appended after the genuine name ${g}` };
  }
  const hb = stripWww(h);
  if (hb.includes('-') && (hb.replace(/-/g, '.') === gb || hb.replace(/-/g, '.').startsWith(`${gb}.`))) {
    return { kind: 'dot-to-hyphen', genuineHost: g, zh: `把真实域名 ${gb} 中的“.”换成“-”`, en: `dots of ${gb} replaced by hyphens` };
  }
  const hs = skeleton(h);
  if (hs !== h && (hs === g || stripWww(hs) === gb)) {
    return { kind: 'homoglyph', genuineHost: g, zh: `用形近字符冒充 ${g}（国际化域名 ${domainToUnicode(h)}）`, en: `look-alike characters imitating ${g}` };
  }
  const hStem = stem(h);
  const gStem = stem(g);
  if (hStem && hStem === gStem) return { kind: 'tld-swap', genuineHost: g, zh: `保留 ${gStem}，把后缀换成非政府后缀`, en: `the name ${gStem} under another ending` };
  if (gStem.length >= 3) {
    const d = editDistance(hStem, gStem, 2);
    if (d > 0 && d <= (gStem.length >= 6 ? 2 : 1)) return { kind: 'typo', genuineHost: g, zh: `与真实域名 ${g} 仅差 ${d} 个字符`, en: `${d} character(s) from ${g}` };
    const labels = h.split('.');
    if (labels.some((l) => l === gStem || l.split('-').includes(gStem)) || h.includes(gb)) {
      return { kind: 'label-embedded', genuineHost: g, zh: `域名中嵌入了真实域名的标识“${gStem}”`, en: `the genuine name "${gStem}" embedded as a label` };
    }
  }
  return null;
}
