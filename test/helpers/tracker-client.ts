// Speaks raw HTTP + bencode to a tracker, as BitTorrent clients do (info_hash and peer_id
// percent-encoded byte by byte).
import http from 'node:http';
import { bdecode, type BValue } from './bdecode.js';

/** Percent-encodes raw bytes the way clients do: unreserved characters literal, the rest %XX. */
export function escapeBytes(buf: Buffer): string {
  let s = '';
  for (const b of buf) {
    const ch = String.fromCharCode(b);
    s += /[A-Za-z0-9.\-_~]/.test(ch) ? ch : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** GET (or another method) over a fresh connection; resolves with the raw reply. */
export function httpGet(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false, localAddress: opts.localAddress, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface AnnounceParams {
  infoHash: string;
  peerId: Buffer | string;
  port: number;
  left: number;
  uploaded?: number;
  downloaded?: number;
  event?: string;
  numwant?: number;
  compact?: 0 | 1;
  noPeerId?: 0 | 1;
  ip?: string;
  extra?: string;
}

/** Builds an announce URL with every parameter a real client sends. */
export function announceUrl(base: string, p: AnnounceParams): string {
  const pid = typeof p.peerId === 'string' ? Buffer.from(p.peerId.padEnd(20, '0').slice(0, 20), 'latin1') : p.peerId;
  let q = `info_hash=${escapeBytes(Buffer.from(p.infoHash, 'hex'))}&peer_id=${escapeBytes(pid)}&port=${p.port}` +
    `&uploaded=${p.uploaded ?? 0}&downloaded=${p.downloaded ?? 0}&left=${p.left}`;
  if (p.event !== undefined) q += `&event=${p.event}`;
  if (p.numwant !== undefined) q += `&numwant=${p.numwant}`;
  if (p.compact !== undefined) q += `&compact=${p.compact}`;
  if (p.noPeerId !== undefined) q += `&no_peer_id=${p.noPeerId}`;
  if (p.ip !== undefined) q += `&ip=${encodeURIComponent(p.ip)}`;
  if (p.extra !== undefined) q += `&${p.extra}`;
  return `${base}?${q}`;
}

/** Announces and returns the decoded dict (throws if the reply is not a bencoded dict with HTTP 200). */
export async function announce(base: string, p: AnnounceParams, headers?: Record<string, string>, localAddress?: string): Promise<Record<string, BValue>> {
  const r = await httpGet(announceUrl(base, p), { headers, localAddress });
  return expectBencodedDict(r);
}

/** Asserts the tracker-reply form (200, text/plain, bencoded dict) and returns the dict. */
export function expectBencodedDict(r: HttpReply): Record<string, BValue> {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.toString()}`);
  if (!String(r.headers['content-type']).startsWith('text/plain')) throw new Error(`content-type ${r.headers['content-type']}`);
  const d = bdecode(r.body);
  if (typeof d !== 'object' || Buffer.isBuffer(d) || Array.isArray(d)) throw new Error('reply is not a dict');
  return d;
}

/** The failure reason text of a reply, or null. */
export function failureOf(d: Record<string, BValue>): string | null {
  const f = d['failure reason'];
  return Buffer.isBuffer(f) ? f.toString('utf8') : null;
}

/** Decodes a compact peers string (6 bytes IPv4 or 18 bytes IPv6 each) into "ip:port" strings. */
export function compactPeers(buf: BValue | undefined, v6 = false): string[] {
  if (buf === undefined) return [];
  if (!Buffer.isBuffer(buf)) throw new Error('peers is not a compact string');
  const size = v6 ? 18 : 6;
  if (buf.length % size !== 0) throw new Error(`peers length ${buf.length} is not a multiple of ${size}`);
  const out: string[] = [];
  for (let o = 0; o < buf.length; o += size) {
    const ip = v6
      ? Array.from({ length: 8 }, (_, k) => buf.readUInt16BE(o + k * 2).toString(16)).join(':')
      : `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
    out.push(`${ip}:${buf.readUInt16BE(o + size - 2)}`);
  }
  return out;
}

/** Scrapes the given hashes (none: full scrape) and returns files keyed by hex info_hash. */
export async function scrape(base: string, hashes: string[]): Promise<Record<string, { complete: number; incomplete: number; downloaded: number }>> {
  const q = hashes.map((h) => `info_hash=${escapeBytes(Buffer.from(h, 'hex'))}`).join('&');
  const d = expectBencodedDict(await httpGet(`${base}${q ? '?' + q : ''}`));
  const files = d.files as Record<string, BValue>;
  if (typeof files !== 'object' || Buffer.isBuffer(files)) throw new Error(`no files dict: ${failureOf(d)}`);
  const out: Record<string, { complete: number; incomplete: number; downloaded: number }> = {};
  for (const [k, v] of Object.entries(files)) out[Buffer.from(k, 'latin1').toString('hex')] = v as never;
  return out;
}
