/** `govscan lint` help text: printed by --help without loading the command. */

export const LINT_HELP = `Usage: govscan lint --registry FILE [--format text|json] [--fail-on SEVERITY] [--rules DIR]

Checks the registry (名录) itself against the naming rules of 《政府网站发展指引》,
offline: domain suffixes (.gov.cn, .政务), the portal and department domain forms,
more than one domain per site, and the site codes. Sends nothing anywhere.

  --registry FILE     site registry, YAML or CSV (required)
  --format FORMAT     text (default) or json
  --fail-on SEVERITY  exit 1 only for findings at or above: info|low|medium|high|critical
                      (default: info, any finding)
  --rules DIR         rule files (default: the rules/ folder shipped with govscan)

Exit codes: 0 no finding (at or above --fail-on), 1 findings, 2 bad input or usage.
`;
