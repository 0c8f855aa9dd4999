// A client that stops reading a webseed download keeps the server's kernel send buffer full:
// with Linux's default net.ipv4.tcp_notsent_lowat (unlimited) each such connection holds up to
// tcp_wmem's maximum (4 MiB) of unsent bytes, and a thousand of them pushed the kernel into TCP
// memory pressure, which slows every socket, announces included (docs/availability.md). A
// notsent limit bounds the unsent part per socket; Node cannot set TCP_NOTSENT_LOWAT on its own
// sockets, so the server says once at start what the kernel has.
import { readFileSync } from 'node:fs';

/** The notsent limit advised (bytes): the figure measured in docs/availability.md. */
export const ADVISED_NOTSENT_LOWAT = 131072;

/** What to say about the kernel's tcp_notsent_lowat (the text of /proc/sys/net/ipv4/tcp_notsent_lowat), or null when it is bounded. */
export function notsentLowatNote(procText: string | null): string | null {
  if (procText === null) return null; // not Linux, or not readable: nothing to say
  const v = Number(procText.trim());
  if (!Number.isFinite(v) || v <= 4 * ADVISED_NOTSENT_LOWAT) return null;
  return `net.ipv4.tcp_notsent_lowat is ${v}: each webseed client that stops reading can hold up to tcp_wmem's maximum of unsent bytes in the kernel; `
    + `set it to ${ADVISED_NOTSENT_LOWAT} (sysctl -w net.ipv4.tcp_notsent_lowat=${ADVISED_NOTSENT_LOWAT}; docker/compose.yaml does) — docs/availability.md`;
}

export function readNotsentLowat(path = '/proc/sys/net/ipv4/tcp_notsent_lowat'): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
