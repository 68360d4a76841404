export { createNetClient, OPERATIONS_PER_SITE, splitPem, trustStore, type NetClientOptions } from './client.js';
export { applyConnectTo, parseConnectTo, type ConnectToRule } from './connect-to.js';
export { parseHostPort, StubResolver, SystemResolver, type Resolver } from './dns.js';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_REDIRECTS, fetchUrl, type HttpDeps } from './http.js';
export { classifyAddress, policyAllows, type AddressClass } from './policy.js';
export { MuxResolver, type MuxResolverOptions } from './dns-mux.js';
export { networkDeadline, networkNow, networkTimer } from './clock.js';
export { peekTls, type TlsPeek, type TlsPeekFailure, type TlsPeekOptions } from './tls-peek.js';
