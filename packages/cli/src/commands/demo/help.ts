/** `govscan demo` help text. */
export const DEMO_HELP = `Usage: govscan demo [--out DIR] [--next-quarter] [--log-level LEVEL]

Starts a simulated world on loopback (a DNS server, HTTP and HTTPS virtual hosts
with their own CA) holding the 41 sites of the Ya'an example registry, some of
them broken the way the 2018 Q2 census found them, and counterfeits of the
portal; scans it with every scanner; writes every report to DIR (default:
govscan-out/demo); investigates the reported counterfeits (case bundles and
dossiers in DIR/cases); prints a summary; stops the world.

  --next-quarter   the world after the rectification: scans it into DIR/next-quarter
                   and compares with the run in DIR (是否完成整改)

Needs no root and no network.
`;
