/**
 * @govscan/scanner-lookalike — the lookalike hunter behind `govscan hunt`:
 * generate the names a counterfeiter might register for every registered
 * site, resolve them, triage the live ones against the genuine site, and let
 * `rules/lookalike.yaml` judge.
 */
import type { Scanner } from '@govscan/core';
import { OBSERVATION_KINDS, SCANNER_ID } from './hunt.js';

export { generate, ownZones, type Candidate, type Generated, type GenerateOptions, type GenerateStats } from './generate.js';
export { DNSTWIST_FUZZERS, FUZZER_IDS, fuzzerInputs, fuzzers, GOVERNMENT_FUZZERS, type Emit, type Fuzzer, type FuzzerId } from './fuzzers.js';
export { siteProfile, type SiteProfile } from './profile.js';
export { CLOSED_SUFFIXES, checkName, isClosed, nameInfo, toAscii, toUnicode, type NameInfo } from './domain.js';
export { latinSkeleton, mixedScriptLookalikes } from './confusables.js';
export { chineseNames, fuzzyPinyin, placeOf, placeStems, syllables } from './zh.js';
export { parentZone, randomLabel, resolveNames, type DnsPort, type DnsState, type Resolution, type ResolveManyOptions, type ResolveStats, type WildcardZone } from './resolve.js';
export { conacId, IDENTITY_TOKENS, jaccard, normalizeIcp, normalizePsb, pageFeatures, type Identity, type IdentityToken, type PageFeatures } from './page.js';
export { compare, loadGenuine, triage, type Comparison, type Genuine, type TriageResult } from './triage.js';
export { CLASSIFICATIONS, hunt, OBSERVATION_KINDS, SCANNER_ID, type CandidateRecord, type Classification, type HuntOptions, type HuntResult, type HuntStats, type WildcardRecord } from './hunt.js';
export { candidatesCsv, candidatesDocument, candidatesSchemaPath, CANDIDATES_SCHEMA_ID, CANDIDATES_SCHEMA_VERSION, CSV_COLUMNS, sortCandidates } from './report.js';
export { distinctive, parseDomainList, untwister, type Untwister, type UntwistResult } from './untwist.js';

/**
 * The scanner-table entry of the lookalike rules. Hunting is a command of its
 * own (`govscan hunt`); as a `scan` scanner this observes nothing, and exists
 * so that `rules/lookalike.yaml` names a known scanner and the observation
 * kinds it emits.
 */
export const lookalike = {
  id: SCANNER_ID,
  title: { zh: '仿冒网站', en: 'Lookalike sites' },
  emits: OBSERVATION_KINDS,
  async scan() {
    return { observations: [], attempts: [] };
  },
} as const satisfies Scanner;
