// Where each offer sits in an announce's own bytes, so that it is relayed exactly as the client
// wrote it instead of being serialised again (an SDP of ~600 bytes, escaped once more per relay).
// Runs only on text JSON.parse accepted (valid UTF-8 JSON: ws validates text frames), so it only
// has to find boundaries: strings end at an unescaped quote, containers at their matching bracket
// (no byte of a multi-byte UTF-8 sequence is ASCII). Duplicate keys: the last one counts, as in
// JSON.parse; a key written with escapes is decoded before it is compared.

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c;
const OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b, CLOSE_ARR = 0x5d;

/** Offsets of one offer in the message: its `offer` value and its `offer_id` value (end exclusive). */
export interface OfferSpan {
  start: number;
  end: number;
  idStart: number;
  idEnd: number;
}

class Malformed extends Error {}

const OFFER_HEAD = Buffer.from('{"action":"announce","offer":'), OFFER_ID = Buffer.from(',"offer_id":');

/** The relayed message `{"action":"announce","offer":…,"offer_id":…` with both values copied from the announce's bytes, then `tail`. */
export function relayedOffer(bytes: Buffer, o: OfferSpan, tail: Buffer): Buffer {
  const m = Buffer.allocUnsafe(OFFER_HEAD.length + (o.end - o.start) + OFFER_ID.length + (o.idEnd - o.idStart) + tail.length);
  let off = OFFER_HEAD.copy(m, 0);
  off += bytes.copy(m, off, o.start, o.end);
  off += OFFER_ID.copy(m, off);
  off += bytes.copy(m, off, o.idStart, o.idEnd);
  tail.copy(m, off);
  return m;
}

function skipSpace(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** The offset after the string whose opening quote is at `i`. */
function stringEnd(b: Buffer, i: number): number {
  for (;;) {
    const q = b.indexOf(QUOTE, i + 1);
    if (q < 0) throw new Malformed();
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    if (((q - 1 - k) & 1) === 0) return q + 1; // an even run of backslashes escapes only itself
    i = q;
  }
}

/** The offset after the value starting at `i`. */
function valueEnd(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i);
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i];
      if (d === QUOTE) {
        i = stringEnd(b, i);
        continue;
      }
      if (d === OPEN_OBJ || d === OPEN_ARR) depth++;
      else if (d === CLOSE_OBJ || d === CLOSE_ARR) {
        if (--depth === 0) return i + 1;
      }
      i++;
    }
    throw new Malformed();
  }
  // number, true, false, null
  while (i < b.length) {
    const d = b[i];
    if (d === COMMA || d === CLOSE_OBJ || d === CLOSE_ARR || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return i;
    i++;
  }
  return i;
}

/** Whether the key string at [s, e) (quotes included) is `name` (ASCII). */
function keyIs(b: Buffer, s: number, e: number, name: string): boolean {
  const n = e - s - 2;
  let escaped = false;
  for (let k = s + 1; k < e - 1; k++) if (b[k] === BACKSLASH) escaped = true;
  if (escaped) return JSON.parse(b.toString('utf8', s, e)) === name;
  if (n !== name.length) return false;
  for (let k = 0; k < n; k++) if (b[s + 1 + k] !== name.charCodeAt(k)) return false;
  return true;
}

/**
 * Walks the members of the object whose `{` is at `i`, calling `member(keyStart, keyEnd,
 * valueStart)`, which returns the offset after the value (or -1: skip it); returns the offset
 * after the object.
 */
function members(b: Buffer, i: number, member: (ks: number, ke: number, vs: number) => number): number {
  if (b[i] !== OPEN_OBJ) throw new Malformed();
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_OBJ) return i + 1;
  for (;;) {
    const ks = i;
    const ke = stringEnd(b, i);
    const vs = skipSpace(b, skipSpace(b, ke) + 1); // past the colon
    const ve = member(ks, ke, vs);
    i = skipSpace(b, ve < 0 ? valueEnd(b, vs) : ve);
    if (b[i] === COMMA) i = skipSpace(b, i + 1);
    else if (b[i] === CLOSE_OBJ) return i + 1;
    else throw new Malformed();
  }
}

/** One element of `offers`: the spans of its `offer` and `offer_id` values (-1 when absent). */
function offerSpan(b: Buffer, i: number): { span: OfferSpan; end: number } {
  const span: OfferSpan = { start: -1, end: -1, idStart: -1, idEnd: -1 };
  const end = members(b, i, (ks, ke, vs) => {
    if (keyIs(b, ks, ke, 'offer')) {
      span.start = vs;
      span.end = valueEnd(b, vs);
      return span.end;
    }
    if (keyIs(b, ks, ke, 'offer_id')) {
      span.idStart = vs;
      span.idEnd = valueEnd(b, vs);
      return span.idEnd;
    }
    return -1;
  });
  return { span, end };
}

/**
 * The spans of the first `max` elements of the top-level `offers` array of a message JSON.parse
 * accepted, in order; undefined when there is no such array or an element is not an object
 * (the parser refuses those), or when the bytes are not what the walk expects.
 */
export function findOfferSpans(b: Buffer, max: number): OfferSpan[] | undefined {
  try {
    let spans: OfferSpan[] | undefined;
    members(b, skipSpace(b, 0), (ks, ke, vs) => {
      if (!keyIs(b, ks, ke, 'offers')) return -1;
      spans = undefined; // a later `offers` replaces an earlier one
      if (b[vs] !== OPEN_ARR) return -1;
      const found: OfferSpan[] = [];
      let i = skipSpace(b, vs + 1);
      if (b[i] === CLOSE_ARR) {
        spans = found;
        return i + 1;
      }
      for (;;) {
        if (found.length < max) {
          if (b[i] !== OPEN_OBJ) return -1;
          const { span, end } = offerSpan(b, i);
          found.push(span);
          i = end;
        } else i = valueEnd(b, i);
        i = skipSpace(b, i);
        if (b[i] === COMMA) i = skipSpace(b, i + 1);
        else if (b[i] === CLOSE_ARR) {
          spans = found;
          return i + 1;
        } else throw new Malformed();
      }
    });
    return spans;
  } catch (err) {
    if (err instanceof Malformed || err instanceof SyntaxError) return undefined;
    throw err;
  }
}
