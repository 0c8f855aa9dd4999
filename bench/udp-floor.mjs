// bench:udp's floor: a Node dgram server that answers BEP 15 connect and announce datagrams with
// fixed replies of the sizes seedhost sends (16 bytes; 20 + 50 peers x 6 bytes) and no tracker work.
// What it serves per core-second bounds any tracker written on Node's dgram (one recvmsg and one
// sendmsg per datagram, a JS callback, a Buffer and an rinfo object each): seedhost's UDP path
// can approach it, not pass it.
//   node bench/udp-floor.mjs PORT
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const connectReply = Buffer.alloc(16);
connectReply.fill(7, 8); // a fixed connection id (not checked: the floor does no work)
const PEERS = 50;
const socket = dgram.createSocket({ type: 'udp4', lookup: (a, _f, cb) => cb(null, a, 4) });
socket.on('message', (msg, rinfo) => {
  if (msg.length < 16) return;
  const action = msg.readUInt32BE(8);
  let b;
  if (action === 0) {
    b = Buffer.from(connectReply);
  } else {
    b = Buffer.alloc(20 + PEERS * 6, 1);
    b.writeUInt32BE(1, 0);
    b.writeUInt32BE(1800, 8);
    b.writeUInt32BE(PEERS, 12);
    b.writeUInt32BE(PEERS, 16);
  }
  msg.copy(b, 4, 12, 16);
  socket.send(b, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1', () => {
  try { socket.setRecvBufferSize(4 << 20); socket.setSendBufferSize(4 << 20); } catch { /* the kernel's cap */ }
  console.log(`udp floor on 127.0.0.1:${port}`);
});
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
