// Column value transformers shared by entities (kept out of entity files: see STACK.md trap 2).
import type { ValueTransformer } from 'typeorm';

/** BIGINT columns as JS numbers (mysql2 returns strings); sizes stay below 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};
