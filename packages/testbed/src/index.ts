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
