import 'reflect-metadata';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  Kind, getIntrospectionQuery, getNamedType, isListType, isNonNullType, parse, print, specifiedRules, typeFromAST, validate,
  type DocumentNode, type GraphQLSchema, type IntrospectionOptions, type OperationDefinitionNode, type TypeNode,
} from 'graphql';
import * as ui from '../../../client/src/graphql/documents.js';
import { fieldCost, listFields } from '../../../server/graphql/cost-table.js';
import { operationCost } from '../../../server/graphql/operation-cost.js';
import { checkCost, MAX_COST, operationRules, PARSE_OPTIONS, QUERY_TOO_COMPLEX } from '../../../server/graphql/operation-limits.js';
import { createEventBus } from '../../../server/graphql/pubsub.js';
import { buildGraphQLSchema } from '../../../server/graphql/schema.js';
import { Upload } from '../../../server/graphql/upload.js';

let schema: GraphQLSchema;
before(async () => {
  schema = await buildGraphQLSchema(createEventBus());
});

/** Validation errors of `doc` under the server's rules. */
const errorsOf = (doc: DocumentNode) => validate(schema, doc, [...specifiedRules, ...operationRules()]);
const messages = (doc: DocumentNode): string[] => errorsOf(doc).map((e) => e.message);

/** A value for every variable of `op`: the largest page (`first`), placeholders otherwise. */
function sampleVariables(op: OperationDefinitionNode): Record<string, unknown> {
  const sample = (type: TypeNode, name: string): unknown => {
    if (type.kind === Kind.NON_NULL_TYPE) return sample(type.type, name);
    if (type.kind === Kind.LIST_TYPE) return [sample(type.type, name)];
    const named = getNamedType(typeFromAST(schema, type));
    switch (named?.name) {
      case 'Int': return name === 'first' ? 100 : 1;
      case 'Float': return 1;
      case 'Boolean': return true;
      case 'Upload': return new Upload();
      case 'Role': return 'admin';
      case 'TorrentOrderField': return 'NAME';
      default: return 'a'.repeat(40);
    }
  };
  return Object.fromEntries((op.variableDefinitions ?? []).map((v) => [v.variable.name.value, sample(v.type, v.variable.name.value)]));
}

const INTROSPECTION_VARIANTS: IntrospectionOptions[] = [
  {},
  { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true },
  { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true },
  { descriptions: false },
];

describe('operation limits', () => {
  it('accept every document of the web UI, at the largest page, within half the cost limit', () => {
    const documents = Object.entries(ui).filter(([, d]) => typeof d === 'string' || (typeof d === 'object' && d !== null && 'kind' in d))
      .map(([name, d]) => [name, typeof d === 'string' ? d : print(d as DocumentNode)] as const);
    assert.ok(documents.length >= 15, 'the UI documents were found');
    for (const [name, text] of documents) {
      const doc = parse(text, PARSE_OPTIONS);
      assert.deepEqual(messages(doc), [], name);
      const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      assert.ok(op, name);
      const variables = sampleVariables(op);
      const cost = operationCost(schema, doc, variables, undefined);
      assert.ok(cost !== null && cost > 0 && cost <= MAX_COST / 2, `${name} costs ${cost}`);
      assert.equal(checkCost(schema, doc, variables, undefined), null, name);
    }
  });

  it('accept the standard introspection query with each option GraphiQL and code generators send', () => {
    for (const options of INTROSPECTION_VARIANTS) {
      const doc = parse(getIntrospectionQuery(options), PARSE_OPTIONS);
      assert.deepEqual(messages(doc), [], JSON.stringify(options));
      assert.equal(checkCost(schema, doc, {}, undefined), null, JSON.stringify(options));
    }
  });

  it('refuse introspection abuse: deep type references, aliases, and a full introspection many times over', () => {
    const ofTypes = (n: number): string => (n === 0 ? 'name' : `ofType { ${ofTypes(n - 1)} }`);
    assert.match(messages(parse(`{ __type(name: "Query") { fields { type { ${ofTypes(30)} } } } }`)).join(), /introspection is nested \d+ levels deep/);
    assert.match(messages(parse(`{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`)).join(), /introspection depth/i);
    const aliases = Array.from({ length: 25 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ');
    assert.match(messages(parse(`{ ${aliases} }`, PARSE_OPTIONS)).join(), /Aliases limit of 20 exceeded, found 25/);
    // the whole standard introspection, 19 times (aliases within the limit): refused by cost
    assert.equal(checkCost(schema, parse(introspectionTimes(1), PARSE_OPTIONS), {}, undefined), null);
    const doc = parse(introspectionTimes(19), PARSE_OPTIONS);
    assert.deepEqual(messages(doc), []);
    assert.equal(checkCost(schema, doc, {}, undefined)?.extensions.code, QUERY_TOO_COMPLEX);
  });

  it('refuse the doubling-fragment document (k = 30) by its cost, each fragment costed once', () => {
    const doc = parse(DOUBLING(30), PARSE_OPTIONS);
    assert.deepEqual(messages(doc), []); // depth 1: the rules see through the spreads without expanding them
    const refused = checkCost(schema, doc, {}, undefined);
    assert.equal(refused?.extensions.code, QUERY_TOO_COMPLEX);
    assert.match(refused?.message ?? '', /costs \d{10,}; the limit is 5000/);
  });

  it('count aliases after fragment expansion, memoised: 500 aliases and aliases spread 2^30 times are refused', () => {
    const five = Array.from({ length: 500 }, (_, i) => `a${i}: stats { torrents }`).join(' ');
    assert.throws(() => parse(`{ ${five} }`, PARSE_OPTIONS), /more that 1000 tokens/);
    const doc = parse(`{ ${five} }`); // past the token limit, the alias rule refuses it too
    assert.deepEqual(errorsOf(doc).map((e) => [e.message, e.extensions.code]), [['Aliases limit of 20 exceeded, found 500.', 'GRAPHQL_VALIDATION_FAILED']]);
    const spread = parse(DOUBLING(30).replace('stats{torrents}', 'a: stats { torrents } b: stats { peers }'), PARSE_OPTIONS);
    assert.deepEqual(messages(spread), [`Aliases limit of 20 exceeded, found ${2 * 2 ** 30}.`]);
  });

  it('count thousands of spreads of one fragment at their expanded cost', () => {
    const doc = parse(`{ ${'...A '.repeat(3000)} } fragment A on Query { stats { torrents } }`);
    assert.deepEqual(messages(doc), []);
    assert.equal(operationCost(schema, doc, {}, undefined), 3000 * 11);
    assert.equal(checkCost(schema, doc, {}, undefined)?.extensions.code, QUERY_TOO_COMPLEX);
  });

  it('refuse more directives than the limit, counted after expansion', () => {
    const doc = parse(`query($t: Boolean!) { ...A ...A ...A } fragment A on Query { ${'stats @include(if: $t) { torrents } '.repeat(7)} }`, PARSE_OPTIONS);
    assert.match(messages(doc).join(), /Directives limit of 20 exceeded, found 21/);
  });

  it('refuse operations nested deeper than the limit, through fragments too', () => {
    const doc = parse('{ torrents { edges { node { ...F } } } } fragment F on Torrent { files { path } }', PARSE_OPTIONS);
    assert.deepEqual(messages(doc), []);
    const deep = parse(`{ ${'me { '.repeat(13)}id${' }'.repeat(13)} }`);
    assert.ok(errorsOf(deep).some((e) => /nested 14 levels deep; the limit is 12/.test(e.message) && e.extensions.code === 'GRAPHQL_VALIDATION_FAILED'));
  });

  it('cost lists by their page size, from literals and from variables', () => {
    const files = parse('query($n: Int) { torrents(first: $n) { nodes { files { path size } } } }', PARSE_OPTIONS);
    assert.equal(checkCost(schema, files, { n: 1 }, undefined), null);
    const refused = checkCost(schema, files, { n: 100 }, undefined);
    assert.equal(refused?.extensions.code, QUERY_TOO_COMPLEX);
    assert.match(refused?.message ?? '', /costs \d+; the limit is 5000/);
    assert.equal(checkCost(schema, files, {}, undefined)?.extensions.code, QUERY_TOO_COMPLEX, 'the default page (20) is costed when first is absent');
    const literal = (first: number): number | null => operationCost(schema, parse(`{ torrents(first: ${first}) { nodes { infoHash } } }`), {}, undefined);
    assert.equal(literal(10), 10 + 1 + 10);
    assert.equal(literal(5000), literal(100), 'pages beyond the maximum cost the maximum (the resolver refuses them)');
    const skipped = parse('query($f: Boolean!) { torrent(infoHash: "x") { name files @include(if: $f) { path } } }', PARSE_OPTIONS);
    assert.ok((operationCost(schema, skipped, { f: false }, undefined) ?? 0) < 20);
    assert.ok((operationCost(schema, skipped, { f: true }, undefined) ?? 0) > 1000);
  });

  it('leave variables that execution refuses to execution (nothing runs)', () => {
    const doc = parse('query($n: Int!) { torrents(first: $n) { totalCount } }', PARSE_OPTIONS);
    assert.equal(operationCost(schema, doc, { n: 'many' }, undefined), null);
  });

  it('have a cost entry for every list field of the schema', () => {
    for (const key of listFields(schema)) assert.ok(fieldCost(key)?.items !== undefined, `${key} needs an entry in cost-table.ts`);
    const type = schema.getQueryType()?.getFields().users.type;
    assert.ok(type !== undefined && isNonNullType(type) && isListType(type.ofType));
  });
});

/** The standard introspection query's `__schema` selection as a fragment, selected `n` times under aliases. */
function introspectionTimes(n: number): string {
  const q = getIntrospectionQuery({ descriptions: true });
  const open = q.indexOf('__schema {') + '__schema '.length;
  let depth = 0;
  let close = open;
  for (; close < q.length; close++) {
    if (q[close] === '{') depth++;
    else if (q[close] === '}' && --depth === 0) break;
  }
  const aliases = Array.from({ length: n }, (_, i) => `s${i}: __schema { ...Schema }`).join(' ');
  return `{ ${aliases} } fragment Schema on __Schema ${q.slice(open, close + 1)} ${q.slice(q.indexOf('fragment FullType'))}`;
}

/** Fragments that each spread the next twice (issue 12, item 1): 2^k leaves when expanded. */
const DOUBLING = (k: number): string => {
  let s = 'query{...F0}';
  for (let i = 0; i < k; i++) s += ` fragment F${i} on Query{...F${i + 1} ...F${i + 1}}`;
  return `${s} fragment F${k} on Query{stats{torrents}}`;
};
