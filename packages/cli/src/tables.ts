import type { Reporter, Scanner } from '@govscan/core';
import { censusReporter } from '@govscan/report-census';
import { htmlReporter } from '@govscan/report-html';
import { jsonReporter } from '@govscan/report-json';
import { noticeReporter } from '@govscan/report-notice';
import { sarifReporter } from '@govscan/report-sarif';
import { census } from '@govscan/scanner-census';
import { headers } from '@govscan/scanner-headers';
import { lookalike } from '@govscan/scanner-lookalike';
import { naming } from '@govscan/scanner-naming';
import { reachability } from '@govscan/scanner-reachability';
import { tls } from '@govscan/scanner-tls';

/**
 * Every scanner govscan has, by id. Adding a scanner: write the package,
 * add one line here and its rules in `rules/<name>.yaml`. Nothing is
 * discovered from the file system.
 */
export const scanners = {
  reachability,
  census,
  tls,
  headers,
  naming,
} satisfies Record<string, Scanner>;
export type ScannerId = keyof typeof scanners;

/** Every scanner rule files may name: the scan's, and the hunt's (`govscan hunt`). */
export const ruleScanners = { ...scanners, lookalike } satisfies Record<string, Scanner>;

/** Every report format `--format` accepts, by id. */
export const reporters = {
  json: jsonReporter,
  sarif: sarifReporter,
  census: censusReporter,
  notice: noticeReporter,
  html: htmlReporter,
} satisfies Record<string, Reporter>;
export type ReporterId = keyof typeof reporters;
