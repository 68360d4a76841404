/** `govscan hunt` help text: printed by --help without loading the command. */
import { FUZZER_IDS } from '@govscan/scanner-lookalike';

export const HUNT_HELP = `Usage: govscan hunt --registry FILE [options]

Generates the names a counterfeiter might register for every registered site
(dnstwist's fuzzers and the China-specific ones: yaan-gov.cn, yaan.gov.cn.com,
yagov.cn, jyj-yaan-gov.cn, 雅安政府.com, mixed-script homoglyphs …), resolves
them (exists / nxdomain / unknown; wildcard zones detected), fetches the live
ones and compares them with the genuine site, and classifies each as
counterfeit, suspicious, parked, unrelated, collision, wildcard or unknown.

  --registry FILE          site registry (名录), YAML or CSV (required)
  --sites CODE,...         only these site codes (网站标识码)
  --resolver HOST:PORT     DNS server to ask (repeatable: retries move to the next one);
                           default: the system's resolvers
  --fuzzers a,b            fuzzers to run (default: all; see the list below)
  --out DIR                output folder (default: govscan-out/hunt)
  --concurrency N          DNS queries in flight (default: 256)
  --triage-concurrency N   live candidates fetched at once (default: 16)
  --timeout MS             timeout of each HTTP(S) operation (default: 15000)
  --dns-timeout MS         timeout of one DNS query, its retries included (default: 5000)
  --connect-to H1:P1:H2:P2 connect to H2:P2 for requests to H1:P1 (curl's meaning; repeatable)
  --allow-private-targets  contact candidates that resolve to private or loopback addresses
                           (lookalikes are never registered hosts: without this they are not
                           fetched, and the refusal is recorded as an unknown check)
  --ca-file PEM            extra trusted CA certificates
  --rules DIR              rule files (default: the rules/ folder shipped with govscan)
  --fail-on SEVERITY       exit 1 when a finding is at or above: info|low|medium|high|critical
  --generate-only          generate the candidates, send nothing (candidates.json has no states)
  --log-level LEVEL        silent|fatal|error|warn|info|debug|trace (default: warn)
  --quiet                  do not print the summary

Writes DIR/candidates.json (every candidate with its state; schema in
scanners/lookalike/README.md), DIR/candidates.csv, DIR/findings.json and
DIR/findings.sarif (rules lookalike.counterfeit, .suspicious, .parked, .collision).

Fuzzers: ${FUZZER_IDS.join(', ')}

Exit codes: 0 ok, 1 a finding at or above --fail-on, 2 bad input or usage, 3 internal error.
`;
export const UNTWIST_HELP = `Usage: govscan untwist --registry FILE [options] FILE|-

Scores observed domains (a feed, a log: one domain or URL a line; '-' reads
standard input) against every site of the registry: a name the fuzzers generate
for a site (or a name under one, like login.yaan-gov.cn) scores 100; any other
is compared, confusables folded and Chinese read as pinyin, with every site's
names. Nothing is sent over the network.

  --registry FILE          site registry (名录), YAML or CSV (required)
  --format table|json|csv  output on stdout (default: table)
  --min-score N            list only domains scoring N or more (0-100, default: 0)
  --fail-on-match          exit 1 when a domain is a generated lookalike of a registered site

Exit codes: 0 ok, 1 a match with --fail-on-match, 2 bad input or usage, 3 internal error.
`;
