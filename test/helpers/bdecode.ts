// A strict bencode decoder for tests: dictionary keys become latin1 strings (so raw 20-byte
// info_hash keys survive), byte strings stay Buffers, integers are numbers.

export type BValue = number | Buffer | BValue[] | { [k: string]: BValue };

/** Decodes exactly one value; throws on malformed input or trailing bytes. */
export function bdecode(buf: Buffer): BValue {
  let i = 0;
  const next = (): BValue => {
    const c = buf[i];
    if (c === 0x69) {
      const e = buf.indexOf(0x65, i);
      const s = buf.toString('latin1', i + 1, e);
      if (!/^(0|-?[1-9]\d*)$/.test(s)) throw new Error(`bad integer '${s}'`);
      i = e + 1;
      return Number(s);
    }
    if (c === 0x6c) {
      i++;
      const l: BValue[] = [];
      while (buf[i] !== 0x65) { if (i >= buf.length) throw new Error('eof'); l.push(next()); }
      i++;
      return l;
    }
    if (c === 0x64) {
      i++;
      const d: { [k: string]: BValue } = {};
      while (buf[i] !== 0x65) {
        if (i >= buf.length) throw new Error('eof');
        const k = next();
        if (!Buffer.isBuffer(k)) throw new Error('non-string key');
        d[k.toString('latin1')] = next();
      }
      i++;
      return d;
    }
    if (c >= 0x30 && c <= 0x39) {
      const colon = buf.indexOf(0x3a, i);
      const n = Number(buf.toString('latin1', i, colon));
      const s = buf.subarray(colon + 1, colon + 1 + n);
      if (s.length !== n) throw new Error('short string');
      i = colon + 1 + n;
      return Buffer.from(s);
    }
    throw new Error(`bad byte at ${i}`);
  };
  const v = next();
  if (i !== buf.length) throw new Error('trailing bytes');
  return v;
}
