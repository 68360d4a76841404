/** The flags of investigate, verify and case recheck, for their parseArgs: known without loading the commands. */
export const investigateOptions = {
  registry: { type: 'string' },
  out: { type: 'string' },
  'case-config': { type: 'string' },
  tsa: { type: 'string' },
  'tsa-cert': { type: 'string' },
  resolver: { type: 'string' },
  'connect-to': { type: 'string', multiple: true },
  'ca-file': { type: 'string' },
  'allow-private-targets': { type: 'boolean' },
  timeout: { type: 'string' },
  'browser-timeout': { type: 'string' },
  'max-bytes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const verifyOptions = { 'tsa-cert': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
