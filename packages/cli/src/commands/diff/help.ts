/** `govscan diff` help text: printed by --help without loading the command. */

export const DIFF_HELP = `Usage: govscan diff OLD-DIR NEW-DIR [--out DIR] [--quiet]

Compares two scans (their findings.json): per site, the 突出问题 of the earlier run that
the later one cleared (fixed), found again (persisting) or could not decide (unverified),
and the new ones; 是否完成整改 is 是 when every earlier problem is cleared now, 否 when one
persists, 未能核实 when none persists but one could not be decided. Prints the summary and
writes, to --out (default: NEW-DIR; created when missing), the 汇总表 with 是否完成整改
filled in and rectification.json/.md.

  --problem-severity SEV   lowest severity of a 突出问题 (default: low)

Exit 0; 2 when a folder is not a govscan run.
`;
