// Builds small v1 .torrent files in memory for tests (mktorrent-compatible layout).
import { createHash, randomBytes } from 'node:crypto';
import bencode from 'bencode';

export interface MadeTorrent {
  file: Buffer;
  infoHash: string;
}

/** A single-file torrent over `data` (random by default), announce `announce`. */
export function makeTorrent(opts: { name?: string; data?: Buffer; pieceLength?: number; announce?: string } = {}): MadeTorrent {
  const data = opts.data ?? randomBytes(1000 + Math.floor(Math.random() * 5000));
  const pieceLength = opts.pieceLength ?? 16384;
  const pieces: Buffer[] = [];
  for (let o = 0; o < data.length; o += pieceLength) pieces.push(createHash('sha1').update(data.subarray(o, o + pieceLength)).digest());
  const info = { length: data.length, name: opts.name ?? `test-${randomBytes(4).toString('hex')}.bin`, 'piece length': pieceLength, pieces: Buffer.concat(pieces) };
  const infoBytes = Buffer.from(bencode.encode(info));
  const file = Buffer.from(bencode.encode({ announce: opts.announce ?? 'http://127.0.0.1:1/announce', info }));
  return { file, infoHash: createHash('sha1').update(infoBytes).digest('hex') };
}

/** A multi-file torrent named `name` over `files` ([path, length], `/`-separated; zero bytes of content), no announce. */
export function makeMultiFileTorrent(name: string, files: [string, number][], pieceLength = 16384): MadeTorrent {
  const total = files.reduce((n, [, len]) => n + len, 0);
  const info = {
    files: files.map(([p, length]) => ({ length, path: p.split('/') })), name, 'piece length': pieceLength,
    pieces: Buffer.alloc(Math.ceil(total / pieceLength) * 20),
  };
  const infoBytes = Buffer.from(bencode.encode(info));
  return { file: Buffer.from(bencode.encode({ announce: 'http://127.0.0.1:1/announce', info })), infoHash: createHash('sha1').update(infoBytes).digest('hex') };
}

