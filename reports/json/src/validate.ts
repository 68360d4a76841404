/**
 * `@govscan/report-json/validate`: check a document against the shipped
 * findings-v1 schema (JSON Schema draft 2020-12), for tests and consumers.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { findingsSchemaPath } from './index.js';

// ajv-formats is CommonJS with `exports.default`; `.default` is right for both tsc (NodeNext) and the runtime.
const addFormats = addFormatsModule.default;

let validator: ValidateFunction | undefined;

/** The findings-v1 schema, as shipped (`schema/findings-v1.schema.json`). */
export function findingsSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(findingsSchemaPath, 'utf8')) as Record<string, unknown>;
}

function compile(): ValidateFunction {
  // `strict`: the schema itself must also be clean under Ajv's strict mode.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(findingsSchema());
}

/** Validate a findings.json document (parsed JSON) against the v1 schema; `[]` when it is valid. Compiled once. */
export function findingsSchemaErrors(doc: unknown): ErrorObject[] {
  validator ??= compile();
  return validator(doc) ? [] : [...(validator.errors ?? [])];
}
