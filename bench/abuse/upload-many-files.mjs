// Item 4: uploadTorrent (GraphQL multipart) of FILES small files (a few bytes each) in one folder.
import { randomBytes } from 'node:crypto';
import { describe, multipart, postMultipart, size } from './http-client.mjs';

const UPLOAD = 'mutation($files: [Upload!]!, $name: String){uploadTorrent(files:$files, name:$name){infoHash}}';

/** Builds the request body. */
export function prepare(_ctx, { files }) {
  const name = `abuse-upload-${randomBytes(4).toString('hex')}`;
  const parts = Array.from({ length: files }, (_, i) => ({ at: `variables.files.${i}`, filename: `${name}/f${i}.txt`, data: Buffer.from(`file ${i}\n`) }));
  return { req: multipart(UPLOAD, { files: parts.map(() => null), name }, parts) };
}

/** Sends it as the admin; answer and time. */
export async function run(ctx, { files }, { req }) {
  const r = await postMultipart(ctx.base, req, { token: ctx.setup.adminToken, timeoutMs: ctx.timeoutMs });
  return { ...describe(r, ctx.timeoutMs), ms: r.ms, details: `${files} files, request ${size(req.body.length)}` };
}
