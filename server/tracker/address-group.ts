// Which clients count as one for per-address limits: an IPv4 address alone, an IPv6 address by its
// /64, since one host is usually given a whole /64 (RFC 6177). The swarm keeps a binary form of the
// same grouping on the announce path (swarm.ts addressOf).

/** `ip` itself for IPv4; `a:b:c:d::/64` (lowercase, no leading zeros) for IPv6, zone id ignored. */
export function addressGroup(ip: string): string {
  if (!ip.includes(':')) return ip;
  const bare = ip.replace(/%.*$/, '');
  const [head, tail] = bare.split('::');
  // an embedded IPv4 tail (::ffff:1.2.3.4) fills the last two groups, which the /64 never reaches
  const groups = (s: string | undefined): string[] => (s ? s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const h = groups(head);
  const all = tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - groups(tail).length)).fill('0'), ...groups(tail)];
  return `${all.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}
