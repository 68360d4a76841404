/**
 * Generation: run the fuzzers over every selected site, normalise and
 * validate each name, drop what no one could register and what is the
 * registry's own, and merge the rest into one candidate per name that
 * remembers every fuzzer and every site that produced it.
 */
import type { Registry, Site } from '@govscan/core';
import { checkName, hostOf, nameInfo, type NameInfo } from './domain.js';
import { FUZZER_IDS, fuzzerInputs, fuzzers, type FuzzerId } from './fuzzers.js';
import { siteProfile, type SiteProfile } from './profile.js';

export interface Candidate extends NameInfo {
  /** Every fuzzer that produced the name, in table order. */
  fuzzers: FuzzerId[];
  /** Codes of the sites it imitates, in registry order. */
  sites: string[];
  /** Whether the public can register under its suffix (false: a closed namespace; its names are collisions). */
  open: boolean;
}

export interface GenerateStats {
  sites: number;
  /** Names emitted by the fuzzers (a fuzzer's output shared by several sites counted once), duplicates included. */
  emitted: number;
  candidates: number;
  /** Not a valid host name, or nothing registrable (a bare public suffix). */
  invalid: number;
  /** An IDN its registry would refuse (Latin accents or Cyrillic under .cn, .中国, .政务, .公益). */
  registryInvalid: number;
  /** A registered host of the registry, or a name under one of its registrable domains. */
  ownZone: number;
  elapsedMs: number;
}

export interface Generated {
  candidates: Candidate[];
  profiles: SiteProfile[];
  stats: GenerateStats;
}

export interface GenerateOptions {
  /** Fuzzers to run (default: all). */
  fuzzers?: readonly FuzzerId[];
}

/** Names the registry itself holds: every registered host and registrable domain. */
export function ownZones(registry: Registry): Set<string> {
  const zones = new Set<string>();
  for (const s of registry.sites) {
    for (const u of s.urls) {
      const info = nameInfo(hostOf(u));
      if (info) zones.add(info.registrable).add(info.ascii);
    }
  }
  return zones;
}

function underOwnZone(ascii: string, registrable: string, zones: Set<string>): boolean {
  if (zones.has(ascii) || zones.has(registrable)) return true;
  // a registrable domain inside a closed suffix is the registry's zone when it is registered (yaan.gov.cn)
  for (let i = ascii.indexOf('.'); i !== -1; i = ascii.indexOf('.', i + 1)) if (zones.has(ascii.slice(i + 1))) return true;
  return false;
}

export function generate(registry: Registry, sites: readonly Site[] = registry.sites, options: GenerateOptions = {}): Generated {
  const t0 = performance.now();
  const ids = options.fuzzers ?? FUZZER_IDS;
  const order = new Map(FUZZER_IDS.map((id, i) => [id, i]));
  const siteOrder = new Map(registry.sites.map((s, i) => [s.code, i]));
  const zones = ownZones(registry);
  // An entry per name: the fuzzers as a bit mask (table order), the sites as a list (each site adds in one go, so a check of the last one de-duplicates).
  type Entry = { info: NameInfo; fuzzers: number; sites: string[]; seenBy: number };
  const byName = new Map<string, Entry>();
  const rejected = new Map<string, 'invalid' | 'registryInvalid' | 'ownZone'>();
  const stats: GenerateStats = { sites: sites.length, emitted: 0, candidates: 0, invalid: 0, registryInvalid: 0, ownZone: 0, elapsedMs: 0 };
  const profiles: SiteProfile[] = [];
  const memo = new Map<string, Entry[]>();
  let pass = 0;
  for (const site of sites) {
    const profile = siteProfile(site, registry);
    if (!profile) continue;
    profiles.push(profile);
    for (const id of ids) {
      const bit = 1 << order.get(id)!;
      const memoKey = `${id}\0${fuzzerInputs[id](profile)}`;
      let entries = memo.get(memoKey);
      if (!entries) {
        const run = ++pass;
        const out: Entry[] = [];
        const keep = (e: Entry): void => {
          if (e.seenBy !== run) {
            e.seenBy = run;
            out.push(e);
          }
        };
        fuzzers[id](profile, (name) => {
          stats.emitted++;
          const key = name.toLowerCase();
          const known = byName.get(key);
          if (known) return keep(known);
          if (rejected.has(key)) return;
          const info = checkName(key);
          let reason: 'invalid' | 'registryInvalid' | 'ownZone' | null = typeof info === 'string' ? info : null;
          if (typeof info !== 'string' && underOwnZone(info.ascii, info.registrable, zones)) reason = 'ownZone';
          if (reason || typeof info === 'string') {
            rejected.set(key, reason ?? 'invalid');
            return;
          }
          // The same name reached in another spelling (Unicode or punycode) merges here.
          let entry = byName.get(info.ascii);
          if (!entry) {
            entry = { info, fuzzers: 0, sites: [], seenBy: 0 };
            byName.set(info.ascii, entry);
          }
          if (key !== info.ascii) byName.set(key, entry);
          keep(entry);
        });
        entries = out;
        memo.set(memoKey, entries);
      }
      for (const e of entries) {
        e.fuzzers |= bit;
        if (e.sites[e.sites.length - 1] !== site.code) e.sites.push(site.code);
      }
    }
  }

  const seen = new Set<Entry>();
  const candidates: Candidate[] = [];
  for (const entry of byName.values()) {
    if (seen.has(entry)) continue;
    seen.add(entry);
    const fz: FuzzerId[] = [];
    for (let m = entry.fuzzers, i = 0; m !== 0; m >>>= 1, i++) if (m & 1) fz.push(FUZZER_IDS[i]!);
    const { info } = entry;
    candidates.push({
      ascii: info.ascii,
      unicode: info.unicode,
      suffix: info.suffix,
      registrable: info.registrable,
      closed: info.closed,
      open: !info.closed,
      fuzzers: fz,
      sites: entry.sites.length > 1 ? entry.sites.sort((a, b) => (siteOrder.get(a) ?? 0) - (siteOrder.get(b) ?? 0)) : entry.sites,
    });
  }
  candidates.sort((a, b) => (a.ascii < b.ascii ? -1 : a.ascii > b.ascii ? 1 : 0));
  for (const reason of rejected.values()) stats[reason]++;
  stats.candidates = candidates.length;
  stats.elapsedMs = Math.round(performance.now() - t0);
  return { candidates, profiles, stats };
}
