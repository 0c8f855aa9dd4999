// Reads an HTTP/1.x request head for the tracker fast path. Only plain GETs of /announce and
// /scrape qualify, and only heads that Node's parser (llhttp, default options) reads the same way:
// every byte is checked against the classes below, which are llhttp's (the strictness test compares
// them with a plain Node server byte by byte). Anything else returns null and is left to Node's
// parser, which answers or refuses it (RFC 9112 §2-§5 grammar, RFC 9110 §5.6.2 tokens).

export interface TrackerRequestHead {
  path: '/announce' | '/scrape';
  /** Raw query string without `?`. */
  query: string;
  keepAlive: boolean;
  /** X-Forwarded-For as sent (several headers joined with ','). */
  xff: string | undefined;
}

// The grammar a fast-path head must match, byte classes as llhttp's: target bytes are visible
// ASCII (llhttp refuses controls, DEL and bytes >= 0x80 there), header names are tchar, values are
// HTAB, SP, visible ASCII and obs-text; lines end in CRLF. One native regex pass per head (no
// backtracking: each class excludes what follows it), cheaper than a JavaScript loop over the bytes.
const REQUEST_LINE = String.raw`GET \/(?:announce|scrape)(?:\?[!-~]*)? HTTP\/1\.[01]`;
const HEADER_LINE = String.raw`\r\n[!#$%&'*+\-.^_\x60|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*`;
const TRACKER_LINE = new RegExp(`^${REQUEST_LINE}$`);
const TRACKER_HEAD = new RegExp(`^${REQUEST_LINE}(?:${HEADER_LINE})*$`);

const GET_ANNOUNCE = 'GET /announce';
const GET_SCRAPE = 'GET /scrape';

/** True when head[start, end) is `lower` in any case (lower: lowercase letters and '-'). */
function isName(head: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    if ((head.charCodeAt(start + k) | 0x20) !== lower.charCodeAt(k)) return false; // tokens hold no CR, so '-' is safe
  }
  return true;
}

const OWS = (c: number): boolean => c === 32 || c === 9;

/** Bit set of the Connection tokens llhttp acts on that appear in head[start, end). */
const CLOSE = 1;
const KEEP_ALIVE = 2;
const UPGRADE = 4;
function connectionTokens(head: string, start: number, end: number): number {
  let found = 0;
  let a = start;
  while (a <= end) {
    let b = head.indexOf(',', a);
    if (b === -1 || b > end) b = end;
    let s = a;
    let e = b;
    while (s < e && OWS(head.charCodeAt(s))) s++;
    while (e > s && OWS(head.charCodeAt(e - 1))) e--;
    if (isName(head, s, e, 'close')) found |= CLOSE;
    else if (isName(head, s, e, 'keep-alive')) found |= KEEP_ALIVE;
    else if (isName(head, s, e, 'upgrade')) found |= UPGRADE;
    a = b + 1;
  }
  return found;
}

/** True when `line` (without CRLF) is a request line the fast path would take, so its head is worth waiting for. */
export function isTrackerRequestLine(line: string): boolean {
  return TRACKER_LINE.test(line);
}

/** True when the head's first line is an HTTP/0.9 request (`METHOD target`, no version): refused at once, never waited on. */
export function isHttp09RequestLine(head: string): boolean {
  let end = head.indexOf('\n');
  if (end === -1) end = head.length;
  if (end > 0 && head.charCodeAt(end - 1) === 13) end--;
  const sp = head.indexOf(' ');
  return sp > 0 && sp < end - 1 && head.lastIndexOf(' ', end - 1) === sp;
}

/**
 * Parses head = the bytes before the blank line (latin1). Returns null unless it is a plain tracker
 * GET that llhttp and Node's http server would read exactly so: no body (Content-Length,
 * Transfer-Encoding), no Expect, no Upgrade, Host present on HTTP/1.1, CRLF line ends only.
 */
export function parseTrackerHead(head: string): TrackerRequestHead | null {
  if (!TRACKER_HEAD.test(head)) return null;
  const n = head.length;
  const path = head.charCodeAt(5) === 97 ? '/announce' : '/scrape'; // 'a'
  const t = path === '/announce' ? GET_ANNOUNCE.length : GET_SCRAPE.length;
  const sp = head.indexOf(' ', t); // the target holds no space: this one precedes the version
  const query = sp > t ? head.slice(t + 1, sp) : '';
  const http11 = head.charCodeAt(sp + 8) === 49; // HTTP/1.1
  let tokens = 0;
  let host = false;
  let xff: string | undefined;
  let i = sp + 9;
  while (i < n) {
    const name = i + 2; // past CRLF
    const colon = head.indexOf(':', name);
    let e = head.indexOf('\r', colon);
    if (e === -1) e = n;
    let vs = colon + 1;
    let ve = e;
    while (vs < ve && OWS(head.charCodeAt(vs))) vs++;
    while (ve > vs && OWS(head.charCodeAt(ve - 1))) ve--;
    // only headers that change how the request is read matter; the length filters cheaply
    switch (colon - name) {
      case 4:
        if (isName(head, name, colon, 'host')) host = true;
        break;
      case 6:
        if (isName(head, name, colon, 'expect')) return null;
        break;
      case 7:
        if (isName(head, name, colon, 'upgrade')) return null;
        break;
      case 10:
        if (isName(head, name, colon, 'connection')) tokens |= connectionTokens(head, vs, ve);
        break;
      case 14:
        if (isName(head, name, colon, 'content-length')) return null;
        break;
      case 15:
        if (isName(head, name, colon, 'x-forwarded-for')) xff = xff === undefined ? head.slice(vs, ve) : `${xff},${head.slice(vs, ve)}`;
        break;
      case 17:
        if (isName(head, name, colon, 'transfer-encoding')) return null;
        break;
    }
    i = e;
  }
  if ((tokens & UPGRADE) !== 0 || (http11 && !host)) return null; // Node answers a Host-less HTTP/1.1 request 400
  // llhttp: HTTP/1.1 stays open unless `close`; HTTP/1.0 closes unless `keep-alive`
  const keepAlive = http11 ? (tokens & CLOSE) === 0 : (tokens & KEEP_ALIVE) !== 0;
  return { path, query, keepAlive, xff };
}
