#!/usr/bin/env node
// WebTorrent (npm `webtorrent`, in Node) downloads for seedhost's e2e test.
//
//   node webtorrent_get.mjs <torrent-id> <save_dir>
//       <torrent-id> is a .torrent URL or a magnet link. One client, DHT, LSD, uTP and NAT mapping
//       off, downloads the torrent into <save_dir> and exits 0 once it is done and destroyed.
//       Trackers are used as the torrent names them (ws:// ones are skipped: no WebRTC here, see
//       docs/clients.md), so peers could only come from seedhost's announce replies.
//
// Stdout carries one JSON object per line for the test:
//   {"event": "metadata", "files": [...]}        the client has the info dict
//   {"event": "done", "fetched": [...], "wires": {...}, "warnings": [...]}
//       `fetched` lists every HTTP request the client made (method, url, range, status), in order:
//       the .torrent, an `xs` URL, webseed ranges; `wires` counts connections by type (webSeed,
//       tcpOutgoing, ...). On a timeout (SEEDHOST_WT_TIMEOUT seconds, default 30) it prints
//       {"event": "timeout", ...} with the same fields and progress, and exits 1.
const [source, dir] = process.argv.slice(2);
if (source === undefined || dir === undefined) {
  process.stderr.write('usage: webtorrent_get.mjs <torrent-url|magnet> <save_dir>\n');
  process.exit(2);
}
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

// webtorrent takes fetch from the global when it is imported: record every request before that
const fetched = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const url = typeof input === 'string' ? input : input.url;
  const headers = new Headers(init.headers);
  const entry = { method: init.method ?? 'GET', url, range: headers.get('range'), status: null };
  fetched.push(entry);
  const res = await realFetch(input, init);
  entry.status = res.status;
  return res;
};
const { default: WebTorrent } = await import('webtorrent');

const client = new WebTorrent({ dht: false, lsd: false, utp: false, natUpnp: false, natPmp: false, utPex: false });
const wires = {};
const warnings = [];
const report = () => ({ fetched: fetched.slice(0, 200), requests: fetched.length, wires, warnings: warnings.slice(0, 20) });
client.on('error', (err) => {
  say({ event: 'error', message: String(err?.message ?? err), ...report() });
  process.exit(1);
});
const torrent = client.add(source, { path: dir });
torrent.on('warning', (err) => { if (warnings.length < 1000) warnings.push(String(err?.message ?? err)); });
torrent.on('wire', (wire) => { wires[wire.type] = (wires[wire.type] ?? 0) + 1; });
torrent.on('metadata', () => say({ event: 'metadata', files: torrent.files.map((f) => ({ path: f.path, length: f.length })) }));
torrent.on('done', () => {
  const done = { event: 'done', ...report() };
  // destroy closes the files (fs-chunk-store), so every byte is on disk once the process exits
  client.destroy(() => {
    say(done);
    process.exit(0);
  });
});
const limit = Number(process.env.SEEDHOST_WT_TIMEOUT ?? 30) * 1000;
setTimeout(() => {
  say({ event: 'timeout', progress: torrent.progress, ready: torrent.ready, ...report() });
  process.exit(1);
}, limit).unref();
