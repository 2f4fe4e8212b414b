import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { isIP } from 'node:net';

/** Decides whether a peer address (and hop index) is a trusted reverse proxy; Express's `trust proxy` takes it as is. */
export type TrustProxy = (address: string, hop: number) => boolean;

/** CIDRs (or plain addresses) of `OBS_TRUSTED_PROXIES`; an empty list trusts no proxy. */
export function compileTrust(cidrs: readonly string[]): TrustProxy {
  return proxyaddr.compile([...cidrs]);
}

/** Why a CIDR entry is unusable, or undefined when it is fine (for the config schema). */
export function cidrProblem(entry: string): string | undefined {
  const [ip, bits, extra] = entry.split('/');
  if (extra !== undefined || !ip || !isIP(ip)) return `"${entry}" is not an address or a CIDR (e.g. 10.0.0.0/8)`;
  if (bits === undefined) return undefined;
  const max = isIP(ip) === 4 ? 32 : 128;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= max ? undefined : `"${entry}": the prefix length must be 0..${max}`;
}

/** What a request says about where it came from, with `X-Forwarded-*` honoured only when the peer is trusted. */
export interface RequestOrigin {
  /** The client's address: the peer, or the first untrusted hop of X-Forwarded-For. */
  ip: string | undefined;
  /** The Host the browser used (X-Forwarded-Host from a trusted proxy, else Host). */
  host: string | undefined;
  /** http or https (X-Forwarded-Proto from a trusted proxy, else the socket's). */
  proto: string;
  /** True when a trusted proxy forwarded this request (it came through the public URL). */
  forwarded: boolean;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim() || undefined;

/** The same rules as Express's req.ip / req.host / req.protocol, usable for the WebSocket upgrade too. */
export function requestOrigin(req: IncomingMessage, trust: TrustProxy): RequestOrigin {
  const peer = req.socket.remoteAddress;
  const encrypted = 'encrypted' in req.socket && Boolean(req.socket.encrypted);
  const own = { ip: peer, host: req.headers.host, proto: encrypted ? 'https' : 'http', forwarded: false };
  if (!peer || !trust(peer, 0)) return own;
  const viaProxy = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'].some(
    (h) => req.headers[h] !== undefined,
  );
  if (!viaProxy) return own;
  return {
    ip: proxyaddr(req, trust),
    host: first(req.headers['x-forwarded-host']) ?? own.host,
    proto:
      first(req.headers['x-forwarded-proto']) === 'https'
        ? 'https'
        : first(req.headers['x-forwarded-proto']) === 'http'
          ? 'http'
          : own.proto,
    forwarded: true,
  };
}
