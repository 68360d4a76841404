/**
 * @govscan/case — evidence capture for a reported counterfeit site: the case
 * bundle, WARC capture, Chromium rendering, attribution, manifest, custody
 * chain, RFC 3161 time-stamps, verification and rechecks.
 */
export { Bundle, BundleEscapeError, checkRelative, safeName, sha256Hex, type WrittenFile } from './bundle.js';
export { Custody, CUSTODY_FILE, custodyLine, GENESIS, verifyCustodyText, type CustodyAction, type CustodyEntry, type CustodyVerification } from './custody.js';
export { buildManifest, MANIFEST_FILE, NOT_IN_MANIFEST, parseManifest, TSR_FILE, type ManifestEntry } from './manifest.js';
export { buildTimeStampReq, parseTimeStampReq, requestTimeStamp, verifyTimeStamp, type TimeStampResult, type TimeStampVerification } from './tsa.js';
export { captureChain, captureDns, captureTls, finalExchange, type CertSummary, type ChainCapture, type DnsCapture, type Exchange, type TlsCapture } from './capture.js';
export { CHROMIUM_ARGS, findChromium, hostResolverRules, launchBrowser, printHtmlToPdf, renderPage, type BrowserCapture, type HostMapping } from './browser.js';
export { pageFacts, textSimilarity, type FormFacts, type PageFacts } from './page.js';
export {
  attribute,
  extractIdentityTokens,
  lookalikeTransformation,
  siteHostnames as siteHosts,
  skeleton,
  type Attribution,
  type IdentityTokens,
  type LookalikeKind,
  type LookalikeMatch,
  type TokenReason,
} from '@govscan/identity';
export { PROFILES, type ClientProfile } from './profiles.js';
export { WarcWriter, type WarcExchange } from './warc.js';
export { investigate, newCaseId, parseReportedUrl, recheckCase, type InvestigateContext, type InvestigateInput, type InvestigateResult, type RecheckResult } from './investigate.js';
export { sealCase, type SealOptions, type SealResult } from './seal.js';
export { verifyCase, type VerifyCheck, type VerifyResult } from './verify.js';
export { DEFAULT_CASE_CONFIG, loadCaseConfig } from './config.js';
export type * from './types.js';
