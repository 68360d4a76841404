/** `govscan scan` help text, with the scanners and formats of the tables. */
import { LOG_LEVELS } from '@govscan/core';
import { reporters, scanners } from '../../tables.js';

export const SCAN_HELP = `Usage: govscan scan --registry FILE [options]

  --registry FILE          site registry (名录), YAML or CSV (required)
  --scanners a,b           scanners to run (default: all: ${Object.keys(scanners).join(', ')})
  --sites CODE,...         only these site codes (网站标识码)
  --resolver HOST:PORT     send every DNS query of the run to this server
  --connect-to H1:P1:H2:P2 connect to H2:P2 for requests to H1:P1 (curl's meaning; repeatable;
                           empty parts match any / keep the original)
  --out DIR                output folder (default: govscan-out)
  --format a,b             report formats (default: ${Object.keys(reporters).join(',')})
  --concurrency N          sites scanned at once (default: 16)
  --timeout MS             timeout of each network operation (default: 15000)
  --fail-on SEVERITY       exit 1 when a finding is at or above: info|low|medium|high|critical
  --problem-severity SEV   lowest severity of a 突出问题 in the 汇总表, notices and counts
                           (default: low; census indicators always count)
  --allow-private-targets  contact unregistered targets that resolve to private addresses
  --ca-file PEM            extra trusted CA certificates (added to node's and NODE_EXTRA_CA_CERTS)
  --rules DIR              rule files (default: the rules/ folder shipped with govscan)
  --previous DIR           an earlier run's output folder: fill in 是否完成整改 (new, fixed and
                           persisting findings per site), write rectification.json/.md
  --deadline DATE|DAYS     deadline of the 整改通知书 (YYYY-MM-DD, or days after the scan; default 15)
  --log-level LEVEL        ${LOG_LEVELS.join('|')} (default: warn); logs go to stderr
  --quiet                  do not print the summary table

findings.json (the run's judged record, which --previous and diff read) is always written.
Exit 0; 1 a finding at or above --fail-on; 4 a site could not be fully checked (the
summary, the 汇总表 and the reports say which and why); 2 bad input; 130 interrupted.
`;
