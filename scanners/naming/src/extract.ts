/**
 * The identity tokens of a government homepage are read by `@govscan/identity`;
 * this module keeps the names the naming scanner has always exported.
 */
export { conacId, extractTokens, mergeTokens, nfkc, type PageTokens, type Token } from '@govscan/identity';
