// BEP 23 / BEP 7 compact peer encoding: 4-byte IPv4 or 16-byte IPv6 address, then the port,
// network byte order.

/** Encodes ip:port as 6 bytes (IPv4) or 18 bytes (IPv6). `ip` must be a valid address (so IPv6 iff it holds a ':'). */
export function encodeCompactPeer(ip: string, port: number): Buffer {
  const b = ip.indexOf(':') === -1 ? Buffer.allocUnsafe(6) : Buffer.allocUnsafe(18);
  writeCompactPeer(ip, port, b, 0);
  return b;
}

/** Writes ip:port's 6 or 18 compact bytes into `b` at `o` (as encodeCompactPeer); returns the offset after them. */
export function writeCompactPeer(ip: string, port: number, b: Buffer, o: number): number {
  if (ip.indexOf(':') === -1) {
    let part = 0, n = o;
    for (let i = 0; i < ip.length; i++) {
      const c = ip.charCodeAt(i);
      if (c === 46) { b[n++] = part; part = 0; } else part = part * 10 + (c - 48);
    }
    b[o + 3] = part;
    b[o + 4] = port >>> 8;
    b[o + 5] = port & 255;
    return o + 6;
  }
  writeIPv6(ip, b, o);
  b[o + 16] = port >>> 8;
  b[o + 17] = port & 255;
  return o + 18;
}

/** Writes a textual IPv6 address (with optional `::` and embedded IPv4 tail) into b[o..o+16). */
function writeIPv6(ip: string, b: Buffer, o: number): void {
  const zone = ip.indexOf('%');
  if (zone !== -1) ip = ip.slice(0, zone);
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, null];
  const parse = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) {
        const q = g.split('.').map(Number);
        out.push((q[0] << 8) | q[1], (q[2] << 8) | q[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = parse(head);
  const t = tail === null ? [] : parse(tail);
  const groups = tail === null ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  for (let i = 0; i < 8; i++) b.writeUInt16BE(groups[i] ?? 0, o + i * 2);
}

/** Decodes 6 or 18 compact bytes at `offset` into ip and port. */
export function decodeCompactPeer(buf: Buffer, offset: number, v6: boolean): { ip: string; port: number } {
  if (!v6) {
    return { ip: `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`, port: buf.readUInt16BE(offset + 4) };
  }
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(offset + i * 2).toString(16));
  return { ip: groups.join(':'), port: buf.readUInt16BE(offset + 16) };
}
