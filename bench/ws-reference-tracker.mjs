#!/usr/bin/env node
// bittorrent-tracker's own server (webtorrent's reference WebSocket tracker), WebSocket only, for
// bench/ws-tracker.mjs. Usage: node bench/ws-reference-tracker.mjs PORT; prints "ready" once listening.
import { Server } from 'bittorrent-tracker';

const port = Number(process.argv[2]);
const server = new Server({ udp: false, http: false, ws: true, stats: false });
server.on('error', (err) => {
  process.stderr.write(`reference tracker: ${err.message}\n`);
  process.exit(1);
});
server.on('warning', () => undefined);
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
