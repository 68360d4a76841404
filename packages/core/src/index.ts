export * from './types.js';
export * from './errors.js';
export { findingFingerprint } from './fingerprint.js';
export { loadRegistry, parseRegistry, registeredHosts, selectSites, SITE_CODE_PATTERN } from './registry.js';
export { defaultRulesDir, factAt, loadRules, matches, parseRuleFile, ruleFileSchema, type LoadRulesOptions } from './rules.js';
export { formatFact, judge, severityRank } from './judge.js';
export { createLogger, LOG_LEVELS, silentLogger, type LogLevel } from './log.js';
export { runScan, type RunScanOptions } from './pipeline.js';
export { toolVersion } from './version.js';
