// Second half of publishing, after the bytes are staged and hashed: the info dict, the .torrent,
// the row (through the TorrentRows port), then the content moved into place. No TypeORM here, so
// the command line can publish without loading it.
import { encodeInfo } from '../torrent/info-dict.js';
import { encodeInfoV2 } from '../torrent/info-dict-v2.js';
import { fileHashes } from '../torrent/merkle.js';
import type { TorrentFileEntry } from '../torrent/metainfo.js';
import { encodeTorrentFile } from '../torrent/torrent-file.js';
import { announceTiers, trackerList } from '../torrent/trackers.js';
import { asPublishError, PublishError, safeRelativePath } from './publish-input.js';
import type { PublishRequest, StagedContent } from './stage-content.js';
import { newTorrent, type NewTorrent, type TorrentRows } from './torrent-rows.js';

/** The torrent name and the staging folder that becomes its root, once every path is known. */
function rootOf(req: PublishRequest, entries: TorrentFileEntry[], multiFile: boolean): { name: string; from: string } {
  if (!multiFile) return { name: req.name ?? (entries[0].path.split('/').pop() as string), from: 'file' };
  if (req.name !== undefined) return { name: req.name, from: 'files' };
  const top = entries[0].path.split('/')[0];
  if (!entries.every((e) => e.path.startsWith(`${top}/`))) throw new PublishError('BAD_INPUT', 'a name is required for several files');
  for (const e of entries) e.path = e.path.slice(top.length + 1);
  return { name: top, from: `files/${top}` };
}

/**
 * Makes the .torrent of staged content, inserts its row and moves the content into place; on any
 * failure the staged content is discarded and no row is left. Throws PublishError for bad input,
 * a duplicate or a storage failure. The caller tells the tracker. With `udpAnnounce` (PUBLIC_UDP_URL)
 * the torrent's `announce-list` names the UDP and the HTTP tracker; `announce` stays HTTP.
 */
export async function finishPublish(rows: TorrentRows, publicUrl: string, req: PublishRequest, staged: StagedContent, udpAnnounce?: string): Promise<NewTorrent> {
  try {
    return await finish(rows, publicUrl, req, staged, udpAnnounce);
  } catch (e) {
    await staged.writer.abort();
    throw asPublishError(e);
  }
}

/** The info dict of staged content in its format: bytes, hashes and (v2/hybrid) piece layers. */
function encodeStaged({ entries, pieces, layer, multiFile, pieceLength, format }: StagedContent, name: string): { bytes: Buffer; infoHash: string; infoHashV2?: string; pieceLayers?: Buffer; pieceCount: number } {
  if (format === 'v1') return { ...encodeInfo({ name, pieceLength, pieces, files: entries, multiFile }), pieceCount: pieces.length / 20 };
  if (format === 'hybrid' && multiFile && entries.some((e) => e.path.split('/')[0] === '.pad')) {
    throw new PublishError('BAD_INPUT', 'a hybrid torrent keeps the folder .pad for its padding files (BEP 47): rename it');
  }
  const hashes = fileHashes(entries.map((e) => e.length), layer, pieceLength);
  const v2 = encodeInfoV2({ name, pieceLength, files: entries, hashes, multiFile, pieces: format === 'hybrid' ? pieces : undefined });
  return { ...v2, pieceCount: format === 'hybrid' ? pieces.length / 20 : layer.length / 32 };
}

async function finish(rows: TorrentRows, publicUrl: string, req: PublishRequest, staged: StagedContent, udpAnnounce: string | undefined): Promise<NewTorrent> {
  const { writer, entries, multiFile, pieceLength, format } = staged;
  if (entries.every((e) => e.length === 0)) throw new PublishError('BAD_INPUT', 'nothing to publish: every file is empty');
  const { name, from } = rootOf(req, entries, multiFile);
  safeRelativePath(name, 'name', true);
  const { bytes, infoHash, infoHashV2, pieceLayers, pieceCount } = encodeStaged(staged, name);
  const file = encodeTorrentFile({
    infoBytes: bytes, announce: `${publicUrl}/announce`, announceList: announceTiers(trackerList(`${publicUrl}/announce`, udpAnnounce)), urlList: [`${publicUrl}/webseed/${infoHash}/`],
    creationDate: Math.floor(Date.now() / 1000), pieceLayers,
  });
  // the metainfo as parseTorrent would read it back, without a second decode of many files
  const totalSize = entries.reduce((n, e) => n + e.length, 0);
  const meta = { infoHash, name, pieceLength, pieceCount, totalSize, files: multiFile ? entries : [{ path: name, length: totalSize }], multiFile, private: false };
  const row = { ...newTorrent(meta, file, true, req.description ?? null, req.ownerId ?? null), format, infoHashV2: infoHashV2 ?? null };
  if (!(await rows.insert(row))) throw new PublishError('DUPLICATE', `torrent ${infoHash} is already registered`);
  try {
    await writer.commit(infoHash, from, name);
  } catch (e) {
    await rows.remove(infoHash);
    // the cause (with file system paths) stays in the server's log, not in the client's message
    throw new PublishError('STORAGE', 'could not store the content', { cause: e });
  }
  return row;
}
