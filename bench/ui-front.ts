// For bench/ui-live.ts: one web UI build in front of a running seedhost, so two builds (before and
// after a change) face the same server, torrents and announces. Files of the build are served as
// they are (history fallback to index.html); /graphql (HTTP and the WebSocket upgrade), /announce,
// /torrents and /webseed go to the server untouched.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json', '.ico': 'image/x-icon', '.png': 'image/png', '.webmanifest': 'application/manifest+json' };
const PASS = /^\/(graphql|announce|scrape|torrents\/|webseed\/)/;

export interface Front { url: string; close(): Promise<void> }

/** Starts the front on a free loopback port for the build in `dist`. */
export function startFront(dist: string, backendPort: number): Promise<Front> {
  const root = path.resolve(dist);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (PASS.test(url)) {
      const up = request({ host: '127.0.0.1', port: backendPort, method: req.method, path: url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => { res.destroy(); });
      req.pipe(up);
      return;
    }
    let file = path.join(root, decodeURIComponent(url.split('?')[0]));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) file = path.join(root, 'index.html');
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = connect(backendPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const end = () => { up.destroy(); socket.destroy(); };
    up.on('error', end);
    socket.on('error', end);
    up.on('close', end);
    socket.on('close', end);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
  }));
}
