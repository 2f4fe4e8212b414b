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
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || (isIP(name) === 4 && name.startsWith('127.'));
}
