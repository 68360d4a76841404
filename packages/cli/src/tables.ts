import type { Reporter, Scanner } from '@govscan/core';
import { jsonReporter } from '@govscan/report-json';
import { sarifReporter } from '@govscan/report-sarif';
import { naming } from '@govscan/scanner-naming';
import { reachability } from '@govscan/scanner-reachability';

/**
 * Every scanner govscan has, by id. Adding a scanner: write the package,
 * add one line here and its rules in `rules/<name>.yaml`. Nothing is
 * discovered from the file system.
 */
export const scanners = {
  reachability,
  naming,
} satisfies Record<string, Scanner>;
export type ScannerId = keyof typeof scanners;

/** Every report format `--format` accepts, by id. */
export const reporters = {
  json: jsonReporter,
  sarif: sarifReporter,
} satisfies Record<string, Reporter>;
export type ReporterId = keyof typeof reporters;
