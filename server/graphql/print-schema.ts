// `npm run schema`: writes schema/schema.graphql from the resolvers (code first).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createEventBus } from './pubsub.js';
import { buildGraphQLSchema } from './schema.js';

/** The SDL as checked in: sorted, with a header line. */
export async function schemaSdl(): Promise<string> {
  const schema = await buildGraphQLSchema(createEventBus());
  return `# Generated from the code by \`npm run schema\`; do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1]?.endsWith('print-schema.js')) {
  const out = new URL('../../../schema/schema.graphql', import.meta.url);
  writeFileSync(out, await schemaSdl());
  process.stdout.write(`wrote ${out.pathname}\n`);
}
