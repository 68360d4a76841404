/**
 * One TLS handshake over a connection opened by the net client (so through
 * --connect-to, the resolver and the address policy), to see what the server
 * presents: protocol, cipher, whether the chain verifies against the trust
 * store given, the certificates it sent (leaf first) and whether it stapled an
 * OCSP response. Nothing is sent after the handshake; the socket is always
 * destroyed. Bounded by the timeout (network time) and the signal.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { NetClient, NetError } from '@govscan/core';
import { networkTimer } from './clock.js';

export interface TlsPeek {
  address: string;
  port: number;
  protocol: string | null;
  cipher: string | null;
  /** Whether the chain verified against the trust store of the peek (`ca` or `secureContext`). */
  authorized: boolean;
  authorizationError: string | null;
  /** Leaf first, then the issuers the server sent (at most 16, none twice). */
  chain: X509Certificate[];
  ocspStapled: boolean;
}

/** Why a peek failed, and whether the connection had been made (`handshake`) or not (`connect`: DNS, policy, refused, …). */
export type TlsPeekFailure = NetError & { during: 'connect' | 'handshake' };

export interface TlsPeekOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Connect to this address instead of resolving the host. */
  address?: string;
  /** Trust anchors (PEM) for `authorized`; or a whole secure context (protocol bounds and all). */
  ca?: string[];
  secureContext?: tls.SecureContext;
  /** Ask for a stapled OCSP response (status_request). */
  requestOCSP?: boolean;
  alpn?: string[];
}

export async function peekTls(client: NetClient, host: string, port: number, o: TlsPeekOptions): Promise<TlsPeek | TlsPeekFailure> {
  const conn = await client.connect(host, port, { timeoutMs: o.timeoutMs, ...(o.address ? { address: o.address } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  if (!('socket' in conn)) return { ...conn, during: 'connect' };
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const servername = net.isIP(bare) ? undefined : bare;
  return new Promise((resolve) => {
    let ocsp = false;
    let settled = false;
    let sock: tls.TLSSocket | undefined;
    const finish = (r: TlsPeek | NetError): void => {
      if (settled) return;
      settled = true;
      cancel();
      o.signal?.removeEventListener('abort', onAbort);
      sock?.destroy();
      conn.socket.destroy();
      resolve('code' in r ? { ...r, during: 'handshake' } : r);
    };
    const cancel = networkTimer(o.timeoutMs, () => finish({ code: 'ETIMEDOUT', message: `TLS handshake not complete within ${o.timeoutMs} ms`, status: 'error' }));
    const onAbort = (): void => finish({ code: 'EABORTED', message: 'aborted', status: 'unknown' });
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // requestOCSP is a TLSSocket option that tls.connect passes through (absent from the typings).
      sock = tls.connect({
        socket: conn.socket,
        ...(servername ? { servername } : {}),
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ...(o.secureContext ? { secureContext: o.secureContext } : o.ca ? { ca: o.ca } : {}),
        ...(o.requestOCSP ? { requestOCSP: true } : {}),
        ...(o.alpn ? { ALPNProtocols: o.alpn } : {}),
      } as tls.ConnectionOptions);
    } catch (err) {
      finish({ code: 'ETLS', message: (err as Error).message, status: 'error' });
      return;
    }
    sock.on('OCSPResponse', (resp: Buffer | undefined) => {
      if (resp && resp.length > 0) ocsp = true;
    });
    sock.once('secureConnect', () => {
      const s = sock!;
      const chain: X509Certificate[] = [];
      let x: X509Certificate | undefined = s.getPeerX509Certificate();
      while (x && chain.length < 16 && !chain.some((c) => c.fingerprint256 === x!.fingerprint256)) {
        chain.push(x);
        x = x.issuerCertificate;
      }
      if (chain.length === 0) return finish({ code: 'ENOCERT', message: 'the server sent no certificate', status: 'error' });
      finish({
        address: conn.address,
        port: conn.port,
        protocol: s.getProtocol() ?? null,
        cipher: s.getCipher()?.standardName ?? null,
        authorized: s.authorized,
        authorizationError: s.authorizationError ? String(s.authorizationError) : null,
        chain,
        ocspStapled: ocsp,
      });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => finish({ code: err.code ?? 'ETLS', message: err.message, status: 'error' }));
    sock.once('close', () => finish({ code: 'ECONNRESET', message: 'the connection closed during the TLS handshake', status: 'error' }));
  });
}
