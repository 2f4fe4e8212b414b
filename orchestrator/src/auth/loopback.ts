import { isIP } from 'node:net';

/** True for a peer address on this machine: 127.0.0.0/8, ::1, and their IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

/** The hostname of a Host header (`localhost:4000`, `[::1]:4000`), lower-cased, without the port. */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader || hostHeader.length > 300) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** True when a Host header names this machine by a loopback name (a DNS-rebinding page names its own host instead). */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  const name = hostnameOf(hostHeader);
  if (!name) return false;
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    (isIP(name) === 4 && name.startsWith('127.'))
  );
}

/**
 * Loopback or a private-network address (10/8, 172.16/12, 192.168/16, fc00::/7). Stack mode trusts these
 * (OBS_TRUSTED_PEERS=private): behind a container port published on the host's 127.0.0.1, the browser's
 * connection arrives from the container network's gateway, and the services' OTLP exports from their peers.
 */
export function isPrivateAddress(address: string | undefined): boolean {
  if (isLoopbackAddress(address)) return true;
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return /^f[cd][0-9a-f]{2}:/i.test(address);
}
