/** `govscan investigate` help text: printed by --help without loading the command. */

export const INVESTIGATE_HELP = `Usage: govscan investigate <url> --registry FILE [options]

Capture a reported (counterfeit) site into a case bundle CASE-<id>/ and write
the takedown dossier for the telecom authority, the police annex (报案材料),
an XARF v4 report and blocklists. Only GET/HEAD requests are ever sent; no
form is submitted.

  --registry FILE          site registry (名录), YAML or CSV (required): what the site imitates
  --out DIR                where CASE-<id>/ is created (default: govscan-out/cases)
  --case-config FILE       the office's details (addressee, reporting unit, contact, police
                           unit, how the site was found), YAML or JSON
  --tsa URL                RFC 3161 time-stamping authority: time-stamp the manifest
  --tsa-cert PEM           the TSA certificate (or its issuer) to trust when verifying the token
  --resolver HOST:PORT     send every DNS query to this server
  --connect-to H1:P1:H2:P2 connect to H2:P2 for requests to H1:P1 (curl's meaning; repeatable)
  --ca-file PEM            extra trusted CA certificates
  --allow-private-targets  contact the reported site even if it resolves to a private address
  --timeout MS             timeout of each network operation (default: 15000)
  --browser-timeout MS     time limit of each browser capture (default: 30000)
  --max-bytes N            byte limit of each HTTP body (default: 5242880)

Chromium (Debian's chromium) is used for screenshots, the rendered DOM and PDFs
when present; GOVSCAN_CHROMIUM=none (or a path) overrides. Without it the case
is still complete and says what was not captured.
Exit codes: 0 case written, 1 case written but the time-stamp failed, 2 bad input.
`;
export const VERIFY_HELP = `Usage: govscan verify CASE-DIR [--tsa-cert PEM]

Check a case bundle: every file against manifest-sha256.txt, the custody chain
(custody.jsonl), and the RFC 3161 time-stamp token(s) when present. Names the
first file or custody line that fails.
Exit codes: 0 intact, 1 a check failed, 2 not a case bundle.
`;
export const CASE_RECHECK_HELP = `Usage: govscan case recheck CASE-DIR [options]

Capture the case's URL again into CASE-DIR/rechecks/<n>/, append to the custody
chain, re-seal the manifest, and report whether the counterfeit is still live,
changed, or gone.

  --registry FILE          site registry (registered hosts are exempt from the address policy)
  --tsa URL, --tsa-cert PEM, --resolver HOST:PORT, --connect-to H1:P1:H2:P2, --ca-file PEM,
  --allow-private-targets, --timeout MS, --browser-timeout MS   as for investigate
Exit codes: 0 still live or changed, 3 never; gone is also 0 (the state is printed);
2 bad input; 1 the custody chain or time-stamp failed.
`;
