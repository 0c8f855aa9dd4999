// Command arguments: node:util parseArgs as strict as ever, its refusals told in seedhost's words
// (usage errors, exit status 2), and the --piece-length value.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseTorrentFormat, type TorrentFormat } from '../torrent/format.js';
import { isValidPieceLength, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../torrent/piece-length.js';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a refused token was: an unknown option, a flag given a value, a value missing. */
function problemOf(args: string[], options: Options): string | undefined {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const o = options[t.name];
    if (o === undefined) return `unknown option ${t.rawName}`;
    if (o.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value`;
    if (o.type === 'string' && t.value === undefined) return `${t.rawName} needs a value`;
    if (o.type === 'string' && !t.inlineValue && t.value?.startsWith('-') === true) return `${t.rawName} needs a value (one starting with '-' is written ${t.rawName}=${t.value})`;
  }
  return undefined;
}

/**
 * parseArgs for `command` (strict; positionals allowed unless `positionals` is false); throws
 * UsageError naming the option at fault and showing `usage`.
 */
export function parseCommand<O extends Options>(command: string, usage: string, args: string[], options: O, positionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const problem = code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? 'takes no arguments' : problemOf(args, options) ?? 'arguments not understood';
    throw new UsageError(`${command}: ${problem}\nusage: seedhost ${usage}`);
  }
}

const UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 * 1024, mib: 1024 * 1024 };

/** `--piece-length`: bytes, or with a K/KiB/M/MiB suffix; a power of two from MIN_PIECE_LENGTH to MAX_PIECE_LENGTH. */
export function parsePieceLength(value: string): number {
  const m = /^(\d{1,12})\s*([a-z]*)$/i.exec(value.trim());
  const unit = m === null ? undefined : UNITS[m[2].toLowerCase()];
  if (m === null || unit === undefined) throw new UsageError(`add: --piece-length takes a number of bytes, e.g. 262144 or 256K (got '${value}')`);
  const n = Number(m[1]) * unit;
  if (!isValidPieceLength(n)) {
    throw new UsageError(`add: --piece-length must be a power of two from ${MIN_PIECE_LENGTH / 1024} KiB (${MIN_PIECE_LENGTH}) to ${MAX_PIECE_LENGTH / 1024 / 1024} MiB (${MAX_PIECE_LENGTH}) (got '${value}')`);
  }
  return n;
}

/** `--format`: v1, v2 or hybrid. */
export function parseFormat(value: string): TorrentFormat {
  const f = parseTorrentFormat(value.trim().toLowerCase());
  if (f === null) throw new UsageError(`add: --format must be v1, v2 or hybrid (got '${value}')`);
  return f;
}
