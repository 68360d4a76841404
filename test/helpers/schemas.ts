/**
 * Schema checks for the e2e tests: the reporters' own validators, under the
 * names the e2e tests use.
 */
export { findingsSchemaErrors as findingsErrors } from '@govscan/report-json/validate';
export { sarifSchemaErrors as sarifErrors } from '@govscan/report-sarif/validate';
