/**
 * @govscan/testbed — a simulated world (authoritative DNS, HTTP/HTTPS virtual
 * hosts, an in-process PKI) on loopback, described by plain-data scenarios.
 */
export type {
  Behaviour,
  CertSpec,
  DnsQueryLogEntry,
  DnsSpec,
  HostSpec,
  PageSpec,
  RawTlsProtocol,
  RawTlsSpec,
  RequestLogEntry,
  Scenario,
  VhostSpec,
  World,
} from './types.js';
export { startWorld } from './world.js';
export { governmentHomepage, conacScriptUrl, homepageColumns, homepageNewsItems, type HomepageColumn, type HomepageItem, type HomepageOptions, type SitePageInput } from './homepage.js';
export { encodeBody } from './charset.js';
export { escapeHtml } from './html.js';
export { startTsa, type Tsa, type TsaOptions } from './tsa.js';
// Test sites of the census and header scenarios, for the scanners' tests, the demo and the benchmarks.
export { articlePage, testSite, type TestColumn, type TestSiteOptions } from './census-site.js';
export { CONAC_SCRIPT, GOOD_CSP, GOOD_HEADERS, HEADER_SCENARIOS, headerScenario, testPage, type HeaderScenario } from './header-scenarios.js';
