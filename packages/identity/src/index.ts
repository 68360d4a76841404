/**
 * @govscan/identity — who a government homepage says it is: the identity
 * tokens (网站标识码, ICP 备案号, 公网安备号, the CONAC badge, 主办单位, the site
 * name), read from a page with where each was found, their normal forms, the
 * lookalike transformation of a host, and the attribution of a reported site
 * to the registered site it imitates. Pure: no network.
 */
export { emptyIdentity, IDENTITY_TOKENS, type Identity, type IdentityToken, type IdentityTokens, type PageTokens, type Token } from './tokens.js';
export { conacId, formatIcp, icpMatches, icpRecord, nfkc, normalizeIcp, normalizePsb, parseIcp, sameToken, type IcpNumber } from './normalize.js';
export { extractIdentityTokens, extractTokens, identityOf, identityTokens, mergeTokens } from './extract.js';
export { lookalikeTransformation, skeleton, type LookalikeKind, type LookalikeMatch } from './lookalike.js';
export { attribute, siteHostnames, type Attribution, type TokenReason } from './attribution.js';
