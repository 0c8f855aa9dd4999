# The reference for `npm run bench:publish`'s v2 and hybrid rows: python3-libtorrent 2.0's
# create_torrent + set_piece_hashes on FILE, as `lt.create_torrent(fs, PIECE_LENGTH)` (hybrid, the
# default) or with v2_only. Writes OUT; prints the info hash a tracker sees: hybrid the SHA-1
# (v1) one, v2 the SHA-256 truncated to 20 bytes, in hex.
import os, sys
import libtorrent as lt

path, piece_length, fmt, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fs = lt.file_storage()
lt.add_files(fs, path)
t = lt.create_torrent(fs, piece_length, flags=lt.create_torrent.v2_only if fmt == 'v2' else 0)
lt.set_piece_hashes(t, os.path.dirname(os.path.abspath(path)))
e = t.generate()
with open(out, 'wb') as f:
    f.write(lt.bencode(e))
h = lt.torrent_info(e).info_hashes()
print(str(h.v1) if fmt == 'hybrid' else str(h.v2)[:40])
