/**
 * The scenario format: a simulated world described as plain data.
 *
 * Everything here is JSON-compatible except `PageSpec.body`, which may also be
 * a `Uint8Array` of pre-encoded bytes.
 */

export interface Scenario {
  name?: string;
  hosts: HostSpec[];
  /** Also serve HTTP/HTTPS on [::1] and answer default AAAA ::1. Ignored (world.ipv6 = false) when ::1 is unavailable. */
  ipv6?: boolean;
}

export interface HostSpec {
  /** e.g. 'www.yaan.gov.cn'; '*.wild.example.cn' = wildcard DNS (and wildcard cert/vhost). */
  name: string;
  /** Default: A 127.0.0.1 (+ AAAA ::1 when the world has ipv6). */
  dns?: DnsSpec;
  /** Default: a 200 page; null: the port-80 service is "absent" for this host (the connection is reset). */
  http?: VhostSpec | null;
  /** Default: a 200 page; null: the TLS handshake fails for this SNI. */
  https?: VhostSpec | null;
  cert?: CertSpec;
  /**
   * Serve port 443 of this host from a raw TLS responder instead of the HTTPS
   * server (exact names only): it answers ClientHellos with a ServerHello for
   * the configured protocols and suites, or an alert, and completes no handshake.
   */
  tlsRaw?: RawTlsSpec;
}

export type RawTlsProtocol = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' | 'TLCP';

export interface RawTlsSpec {
  /** Versions the server accepts (TLCP = GB/T 38636, version 0x0101). */
  protocols: RawTlsProtocol[];
  /** Cipher suite codes the server accepts, in its order of preference (TLS 1.3, TLCP and older suites may be mixed: each is used with its own version). */
  suites: number[];
  /** Per-version override of `suites` (e.g. RC4 only with TLS 1.0). */
  suitesByProtocol?: Partial<Record<RawTlsProtocol, number[]>>;
  /** Pick by the server's order (default true) or the client's. */
  preferServerOrder?: boolean;
  /** Send a CertificateStatus (a fixed minimal OCSP response) when the client asks (TLS ≤ 1.2). */
  ocspStaple?: boolean;
  /** Named groups (names such as 'x25519', 'secp256r1', 'X25519MLKEM768', or codes), server order. Default x25519, secp256r1, secp384r1. */
  groups?: (string | number)[];
  /**
   * Hostile behaviour after reading the ClientHello: `stall` sends the first
   * bytes of its answer and then nothing; `garbage` answers with non-TLS bytes;
   * `truncate` sends part of a record and closes; `reset` sends a TCP RST;
   * `huge-cert-list` sends a ServerHello and a Certificate message claiming 16 MiB.
   */
  behaviour?: 'stall' | 'garbage' | 'truncate' | 'reset' | 'huge-cert-list';
  /**
   * A different configuration on another loopback address of the same host
   * (e.g. `{ '127.0.0.2': { protocols: ['TLSv1.0'] } }`, with `dns.a` listing
   * both addresses): the responder also listens there.
   */
  byAddress?: Record<string, Partial<Omit<RawTlsSpec, 'byAddress'>>>;
}

export interface DnsSpec {
  a?: string[];
  aaaa?: string[];
  cname?: string;
  ns?: string[];
  mx?: { priority: number; exchange: string }[];
  txt?: string[];
  caa?: { flags: number; tag: string; value: string }[];
  /** Answer SOA for the name. */
  soa?: boolean;
  /** Answer with this rcode (and no records). */
  rcode?: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
  /** true: never answer; a number 0..1: drop that share of queries (deterministic, seeded by the name). */
  drop?: boolean | number;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** TTL of every record for this name (default 300). */
  ttl?: number;
}

export interface VhostSpec {
  /** Path (optionally with query string) -> page. Default: `{ '/': <a small 200 page> }`. */
  pages?: Record<string, PageSpec>;
  /** Headers added to every response of this vhost (page headers win). */
  headers?: Record<string, string | string[]>;
  /** Applies to every request of this vhost unless the page has its own behaviour. */
  behaviour?: Behaviour;
  /** Echo the request's `Origin` header back in `Access-Control-Allow-Origin` (a CORS misconfiguration to detect). */
  corsEchoOrigin?: boolean;
}

export interface PageSpec {
  status?: number;
  headers?: Record<string, string | string[]>;
  /**
   * A string is encoded with `charset` (utf-8 by default; gbk/gb2312/gb18030 and
   * latin1 are supported natively). A Uint8Array is sent byte for byte.
   */
  body?: string | Uint8Array;
  /** e.g. 'gbk'. Sets the Content-Type charset and the body encoding. */
  charset?: string;
  /** Default 'text/html; charset=<charset|utf-8>'. */
  contentType?: string;
  /** Location header; the status defaults to 302. */
  redirect?: string;
  behaviour?: Behaviour;
  /**
   * Serve another page to clients whose User-Agent contains `match`
   * (case-insensitive); the first entry that matches wins, else this page.
   * For cloaking: a harmless page to one client, the real one to others.
   */
  byUserAgent?: { match: string; page: PageSpec }[];
}

export type Behaviour =
  /** respond after a delay */
  | { delayMs: number }
  /** accept, read the request, never answer (the socket stays open until world.stop) */
  | { hang: true }
  /** destroy the socket (TCP RST) on request */
  | { reset: true }
  /** 200 with a streamed body of that many bytes */
  | { hugeBodyBytes: number }
  /** 302 /loop-a -> /loop-b -> /loop-a ... */
  | { redirectLoop: true };

export interface CertSpec {
  /** notAfter in the past. */
  expired?: boolean;
  /** notBefore in the future. */
  notYetValid?: boolean;
  /** Issued by itself instead of the world CA. */
  selfSigned?: boolean;
  /** SAN (and CN) to use instead of the host name. */
  wrongHost?: string;
  /** Use a key of its own of that size instead of the shared 2048-bit leaf key. */
  keyBits?: number;
  /** Hash of the certificate signature (default sha256). */
  signatureHash?: 'sha256' | 'sha1' | 'md5';
  /** Issued by the world's intermediate CA; the server sends leaf + intermediate. */
  viaIntermediate?: boolean;
  /** Issued by the intermediate CA but the server sends the leaf only (implies viaIntermediate). */
  omitIntermediate?: boolean;
  /** Validity from yesterday for this many days (default 90; ignored with expired / notYetValid). */
  validDays?: number;
  /** Issued by a CA outside the world (not in caFile); the server sends the leaf and that CA's root. */
  untrustedIssuer?: boolean;
  /** Staple an OCSP response when the client asks (status_request). The bytes are a fixed minimal OCSPResponse, not a signed one. */
  ocspStaple?: boolean;
}

export interface RequestLogEntry {
  /** Host header without the port, lower case ('' when absent). */
  host: string;
  method: string;
  /** Request target as sent (path and query). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  tls: boolean;
  /** The server address the request came in on ('127.0.0.1', '::1', …). */
  localAddress: string;
  /** Date.now() when the request headers arrived. */
  at: number;
}

export interface DnsQueryLogEntry {
  /** Query name as sent (case preserved, no trailing dot). */
  name: string;
  /** Type mnemonic ('A', 'AAAA', ...) or 'TYPE<n>' for unknown types. */
  type: string;
  at: number;
}

export interface World {
  /** '127.0.0.1:PORT' of the DNS server (UDP and TCP on the same port). */
  resolver: string;
  dnsPort: number;
  httpPort: number;
  httpsPort: number;
  ipv6: boolean;
  /**
   * curl --connect-to arguments mapping the standard ports to the world: [':80::<httpPort>', ':443::<httpsPort>']
   * (HOST1:PORT1:HOST2:PORT2 with HOST1 and HOST2 empty), preceded by one `<host>:443::<port>` per `tlsRaw` host
   * (the first match wins).
   */
  connectTo: string[];
  /** PEM of the world's root CA. */
  caPem: string;
  /** Path of a file holding caPem (in a temp dir removed on stop). */
  caFile: string;
  /** PEM of the intermediate CA (used by hosts with cert.viaIntermediate / omitIntermediate). */
  intermediatePem: string;
  /** Log of HTTP(S) requests received (oldest dropped beyond 10,000 entries). */
  requests: RequestLogEntry[];
  /** Log of DNS queries received (oldest dropped beyond 100,000 entries). */
  dnsQueries: DnsQueryLogEntry[];
  /** The scenario the world was started from. */
  scenario: Scenario;
  /** Raw TLS responders by host name (hosts with `tlsRaw`): port, addresses, ClientHellos received. */
  rawTls: Record<string, { port: number; addresses: string[]; hellos: { serverName: string | null; version: number; suites: number; at: number }[] }>;
  /** Closes every server and socket (hung ones too) and deletes temp files. Idempotent. */
  stop(): Promise<void>;
}
