import { readFileSync } from 'node:fs';

/** The version of the govscan CLI package (the same from `src/` and `dist/`). */
export const toolVersion: string = (
  JSON.parse(readFileSync(new URL('../../cli/package.json', import.meta.url), 'utf8')) as { version: string }
).version;
