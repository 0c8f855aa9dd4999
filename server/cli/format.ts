// Human-readable figures for the command line.

/** 1536 -> "1.5 KiB"; bytes below 1 KiB stay exact. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

// C0 controls, DEL, C1 controls (ESC, CR, LF, CSI...), line/paragraph separators and the bidi
// embeddings, overrides and isolates: what could move the cursor, rewrite a line or reorder text
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/;
const UNSAFE_ALL = new RegExp(UNSAFE_FOR_TERMINAL.source, 'g');
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/**
 * Text safe to print on a terminal: control and direction characters as visible escapes (`\x1b`,
 * `\r`, `\u202e`), backslashes doubled so an escape cannot be faked. For names chosen elsewhere
 * (registered .torrent files) or stored before they were refused.
 */
export function escapeForTerminal(s: string): string {
  if (!UNSAFE_FOR_TERMINAL.test(s)) return s;
  return s.replace(UNSAFE_ALL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
