// Item 4: registerTorrent of a .torrent with FILES one-byte files (20,000: about 560 kB), or one
// filled to TARGET_BYTES (just under MAX_TORRENT_FILE_BYTES, 32 MiB: about 950,000 files).
// The .torrent and the multipart body are built in prepare(), before the measured window.
import { describe, multipart, postMultipart, size } from './http-client.mjs';
import { manyFilesTorrent } from './many-files-torrent.mjs';

const REGISTER = 'mutation($file: Upload!){registerTorrent(file:$file){infoHash}}';

/** Builds the torrent and the request body. */
export function prepare(_ctx, { files, targetBytes }) {
  const t = manyFilesTorrent({ files, targetBytes });
  return { t, req: multipart(REGISTER, { file: null }, [{ at: 'variables.file', filename: `${t.name}.torrent`, data: t.file }]) };
}

/** Sends it as the admin; answer and time. */
export async function run(ctx, _opts, { t, req }) {
  const r = await postMultipart(ctx.base, req, { token: ctx.setup.adminToken, timeoutMs: ctx.timeoutMs });
  return { ...describe(r, ctx.timeoutMs), ms: r.ms, details: `.torrent of ${t.files} files, ${size(t.file.length)} (${(t.file.length / 1048576).toFixed(2)} MiB)` };
}
