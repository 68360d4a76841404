import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { findingsSchemaPath } from '@govscan/report-json';

const addFormats = addFormatsModule.default;

/** Validate a findings.json document against the shipped v1 schema; returns the errors. */
export function findingsErrors(doc: unknown): unknown[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(findingsSchemaPath, 'utf8')));
  return validate(doc) ? [] : (validate.errors ?? []);
}

/** Validate a SARIF log against the official SARIF 2.1.0 schema (shipped in @microsoft/jest-sarif). */
export function sarifErrors(doc: unknown): unknown[] {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@microsoft/jest-sarif/package.json'));
  const schema = JSON.parse(readFileSync(path.join(dir, 'lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
  delete schema.$schema; // draft-04 declaration; ajv 8 reads the rest as draft-07
  delete schema.id;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return validate(doc) ? [] : (validate.errors ?? []);
}
