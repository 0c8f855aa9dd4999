# Makes v2 and hybrid .torrent files with libtorrent (python3-libtorrent 2.0), and broken variants
# of them, for the parser's tests (test/helpers/v2-torrents.ts runs it).
# usage: v2-torrents.py <content dir> <out dir> [base URL]
# <content dir> holds a folder `d` (several files) and a file `one.bin`; writes <out>/<case>.torrent.
# With a base URL (a running seedhost), the good ones announce to <base>/announce and list
# <base>/webseed/<infohash>/ as their url-list (infohash: v1, or for v2-only the SHA-256 cut to 20 bytes).
import copy, hashlib, os, sys
import libtorrent as lt

src, out = sys.argv[1], sys.argv[2]
base = sys.argv[3] if len(sys.argv) > 3 else None
piece = 16384

def make(path, flags):
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(src, path))
    t = lt.create_torrent(fs, piece, flags)
    t.add_tracker(f'{base}/announce' if base else 'http://127.0.0.1:1/announce')
    lt.set_piece_hashes(t, src)
    e = t.generate()
    if base:
        ih = lt.torrent_info(e).info_hashes()
        key = str(ih.v1) if ih.has_v1() else str(ih.v2)[:40]
        e[b'url-list'] = [f'{base}/webseed/{key}/'.encode()]
    return e

def write(name, e):
    with open(os.path.join(out, name + '.torrent'), 'wb') as f:
        f.write(lt.bencode(e))

hybrid = make('d', 0)
v2 = make('d', lt.create_torrent.v2_only)
write('hybrid', hybrid)
write('v2', v2)
write('hybrid-single', make('one.bin', 0))
write('v2-single', make('one.bin', lt.create_torrent.v2_only))
write('v1', make('d', lt.create_torrent.v1_only))

def broken(name, base, change):
    e = copy.deepcopy(base)
    change(e)
    write(name, e)

tree = lambda e: e[b'info'][b'file tree']
leaf = lambda e, *p: (lambda n: n[b''])(__import__('functools').reduce(lambda n, k: n[k], p, tree(e)))
def flip_layer(e):
    k = next(iter(e[b'piece layers']))
    v = bytearray(e[b'piece layers'][k]); v[0] ^= 1
    e[b'piece layers'][k] = bytes(v)
def short_layer(e):
    k = next(iter(e[b'piece layers']))
    e[b'piece layers'][k] = e[b'piece layers'][k][:-32]
def drop_layers(e): del e[b'piece layers']
def meta3(e): e[b'info'][b'meta version'] = 3
def no_tree(e): del e[b'info'][b'file tree']
def no_root(e): del leaf(e, b'a.bin')[b'pieces root']
def short_root(e): leaf(e, b'a.bin')[b'pieces root'] = b'x' * 31
def empty_root(e): leaf(e, b'empty')[b'pieces root'] = b'\0' * 32
def bad_len(e): leaf(e, b'a.bin')[b'length'] = -5
def grow_len(e): leaf(e, b'b.txt')[b'length'] = 101
def grow_big(e): leaf(e, b'a.bin')[b'length'] = 60000
def empty_dir(e): tree(e)[b'hole'] = {}
def mixed(e): tree(e)[b'sub'][b''] = {b'length': 1, b'pieces root': b'r' * 32}
def dotdot(e): tree(e)[b'..'] = tree(e).pop(b'b.txt')
def piece_odd(e): e[b'info'][b'piece length'] = 16384 * 3
def no_pad(e):
    e[b'info'][b'files'] = [f for i, f in enumerate(e[b'info'][b'files']) if i != 1]
def pad_unmarked(e): del e[b'info'][b'files'][1][b'attr']
def reorder(e):
    f = e[b'info'][b'files']; f[0], f[2] = f[2], f[0]
def v1_extra(e): e[b'info'][b'files'].insert(0, {b'length': 5, b'path': [b'extra']})
def v1_path(e): e[b'info'][b'files'][0][b'path'] = [b'other.bin']

for name, base, change in [
    ('v2-layer-flipped', v2, flip_layer), ('v2-layer-short', v2, short_layer), ('v2-no-layers', v2, drop_layers),
    ('v2-meta-version-3', v2, meta3), ('v2-no-file-tree', v2, no_tree), ('v2-no-pieces-root', v2, no_root),
    ('v2-short-pieces-root', v2, short_root), ('v2-empty-with-root', v2, empty_root), ('v2-negative-length', v2, bad_len),
    ('v2-length-mismatch', v2, grow_big), ('v2-empty-folder', v2, empty_dir), ('v2-file-and-folder', v2, mixed),
    ('v2-dotdot', v2, dotdot), ('v2-piece-length-not-power', v2, piece_odd),
    ('hybrid-layer-flipped', hybrid, flip_layer), ('hybrid-no-pad', hybrid, no_pad), ('hybrid-pad-unmarked', hybrid, pad_unmarked),
    ('hybrid-reordered', hybrid, reorder), ('hybrid-extra-v1-file', hybrid, v1_extra), ('hybrid-other-path', hybrid, v1_path),
    ('hybrid-tree-length-mismatch', hybrid, grow_len),
]:
    broken(name, base, change)

# what libtorrent itself reads: info hashes of the good ones
for n in ('hybrid', 'v2', 'hybrid-single', 'v2-single', 'v1'):
    ih = lt.torrent_info(os.path.join(out, n + '.torrent')).info_hashes()
    print(n, ih.v1 if ih.has_v1() else '-', ih.v2 if ih.has_v2() else '-')
