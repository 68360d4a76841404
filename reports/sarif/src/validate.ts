/**
 * `@govscan/report-sarif/validate`: check a log against the official SARIF
 * 2.1.0 schema, as shipped by @microsoft/jest-sarif.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; `.default` is right for both tsc (NodeNext) and the runtime.
const addFormats = addFormatsModule.default;

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const pkg = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/package.json');
  const raw = JSON.parse(readFileSync(join(dirname(pkg), 'lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
  // The file declares draft-04 (`$schema` draft-04, `id`), which Ajv 8 has no meta-schema for. Its keywords
  // are all draft-04/07 compatible (no boolean exclusiveMinimum), so drop the declaration and compile as draft-07.
  const { $schema: draft, id: _id, ...schema } = raw;
  if (draft !== DRAFT_04) throw new Error(`SARIF schema: expected a ${DRAFT_04} declaration, got ${JSON.stringify(draft)}`);
  // `unicodeRegExp: false`: the schema's `language` pattern (`...[a-zA-Z]{2}]?$`) has a stray `]` that is
  // legal only in non-unicode JavaScript regular expressions.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Validate a SARIF log (parsed JSON) against the SARIF 2.1.0 schema; `[]` when it is valid. Compiled once. */
export function sarifSchemaErrors(doc: unknown): ErrorObject[] {
  validator ??= compile();
  return validator(doc) ? [] : [...(validator.errors ?? [])];
}
