// Makes a .torrent with python3-libtorrent's create_torrent + set_piece_hashes (the reference for
// BEP 52 v2 and hybrid torrents): default flags make a hybrid, v2_only a v2, v1_only a v1.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const SCRIPT = `
import libtorrent as lt, sys, os
p, pl, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fs = lt.file_storage()
lt.add_files(fs, p)
flags = {'v2': lt.create_torrent.v2_only, 'hybrid': 0, 'v1': lt.create_torrent.v1_only}[mode]
t = lt.create_torrent(fs, pl, flags=flags)
lt.set_piece_hashes(t, os.path.dirname(os.path.abspath(p)))
sys.stdout.buffer.write(lt.bencode(t.generate()))
`;

/** The .torrent libtorrent 2.0 makes of `target` (a file or folder; its base name names it). */
export function libtorrentTorrent(python: string, target: string, pieceLength: number, format: 'v1' | 'v2' | 'hybrid'): Buffer {
  return execFileSync(python, ['-c', SCRIPT, path.resolve(target), String(pieceLength), format], { maxBuffer: 64 * 1024 * 1024 });
}
