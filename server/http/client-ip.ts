// Resolves the client's address: the socket's, or (only when the connection comes from a trusted
// proxy) the nearest untrusted address in X-Forwarded-For.
import type { IncomingMessage } from 'node:http';
import { type BlockList, isIP } from 'node:net';

/** Strips the IPv4-mapped IPv6 prefix (dual-stack sockets) so IPv4 peers stay IPv4. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Whether `ip` (normalized) is one of the trusted proxies. */
export function isTrusted(ip: string, trusted: BlockList): boolean {
  return trusted.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client IP given the socket's remote address and the X-Forwarded-For header: the header is
 * read only when the socket peer is trusted, walking from the nearest hop outwards.
 */
export function clientIpFrom(remote: string | undefined, xff: string | undefined, trusted: BlockList | undefined): string {
  const socketIp = normalizeIp(remote ?? '');
  if (trusted === undefined || xff === undefined || !isTrusted(socketIp, trusted)) return socketIp;
  const hops = xff.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = normalizeIp(hops[i].trim());
    if (isIP(ip) === 0) return socketIp;
    if (!isTrusted(ip, trusted)) return ip;
  }
  return normalizeIp(hops[0].trim());
}

/** clientIpFrom for a Node request. */
export function resolveClientIp(req: IncomingMessage, trusted: BlockList | undefined): string {
  const xff = req.headers['x-forwarded-for'];
  return clientIpFrom(req.socket.remoteAddress, typeof xff === 'string' ? xff : undefined, trusted);
}

/**
 * The address to record for a peer: the announce's `ip` parameter only when the resolved client
 * is itself trusted (a proxy or seedbox announcing for others) and the value is an IP address.
 */
export function announceIp(clientIp: string, ipParam: string | null, trusted: BlockList | undefined): string {
  if (ipParam === null || trusted === undefined || !isTrusted(clientIp, trusted)) return clientIp;
  const ip = normalizeIp(ipParam);
  return isIP(ip) === 0 ? clientIp : ip;
}
