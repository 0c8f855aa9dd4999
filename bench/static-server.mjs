#!/usr/bin/env node
// Reference for bench/webseed.sh: the plainest Node static file server for one directory, with a
// single `Range: bytes=a-b` (or a-, -n) → 206, streamed with fs.createReadStream(file, {start, end})
// piped into the response (default 64 KiB reads unless HWM is set). No caching, no validators.
//   node bench/static-server.mjs ROOT_DIR PORT [HOST=127.0.0.1]     env: HWM (read size, bytes)
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

const [root, port, host = '127.0.0.1'] = process.argv.slice(2);
const hwm = process.env.HWM ? Number(process.env.HWM) : undefined;
const base = path.resolve(root);

createServer((req, res) => {
  const rel = decodeURIComponent((req.url ?? '/').split('?')[0]);
  const file = path.join(base, rel);
  let st;
  try {
    if (!file.startsWith(base + path.sep)) throw new Error('outside');
    st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
  } catch {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
    return;
  }
  let start = 0;
  let end = st.size - 1;
  let status = 200;
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (m && (m[1] !== '' || m[2] !== '')) {
    if (m[1] === '') start = Math.max(0, st.size - Number(m[2]));
    else { start = Number(m[1]); if (m[2] !== '') end = Math.min(end, Number(m[2])); }
    if (start > end || start >= st.size) {
      res.writeHead(416, { 'Content-Range': `bytes */${st.size}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    status = 206;
  }
  const headers = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Content-Length': end - start + 1 };
  if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
  res.writeHead(status, headers);
  if (req.method === 'HEAD') { res.end(); return; }
  const rs = createReadStream(file, hwm ? { start, end, highWaterMark: hwm } : { start, end });
  rs.on('error', () => res.destroy());
  rs.pipe(res);
}).listen(Number(port), host, () => process.stdout.write(`static-server ${base} on http://${host}:${port}/\n`));
process.on('SIGTERM', () => process.exit(0));
