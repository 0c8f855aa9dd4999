// What each field of the schema costs, for the operation cost limit (operation-cost.ts). One unit
// is one value of the reply of up to about 100 bytes; list fields multiply their items' cost by
// the page size they can return. Introspection lists are sized from the schema itself.
import { MAX_FILE_PAGE, MAX_PAGE } from '../services/torrent-catalog.js';
import { DEFAULT_PEERS_PAGE, MAX_PEERS_PAGE } from './resolvers/swarm.resolver.js';
import { MAX_HISTORY_POINTS } from '../services/swarm-history.js';
import { isAbstractType, isInputObjectType, isInterfaceType, isListType, isNonNullType, isObjectType, isEnumType, type GraphQLSchema } from 'graphql';

/** How many items a list field returns: the `arg` argument when given, else `byDefault`; at most `max`. */
export interface PageSize {
  arg?: string;
  byDefault: number;
  max: number;
}

export interface FieldCost {
  /** Cost of the value itself (default 1; ROOT_FIELD_COST on Query, Mutation, Subscription; INTROSPECTION_FIELD_COST on __ fields). */
  self?: number;
  /** A list: its items' selection costs this many times ('page': the page size of the connection above). */
  items?: PageSize | 'page';
  /** A connection: its lists marked `items: 'page'` return this many items. */
  page?: PageSize;
}

/** A root field runs a resolver that reads the database or the peer store. */
export const ROOT_FIELD_COST = 10;
/** Introspection values are short (names, kinds, flags; the standard query's reply is ~25 bytes a value). */
export const INTROSPECTION_FIELD_COST = 0.1;
/** Items assumed for a list field missing from the table (a test requires every list field to be in it). */
export const DEFAULT_LIST_SIZE = 100;

// Lists are paged by `first` up to their resolver's maximum (torrents 100, files 1,000, peers 200).
// users and apiTokens are unpaged admin/owner lists: 100 is an assumption about a closed tracker.
const TABLE: Record<string, FieldCost> = {
  'Query.torrents': { self: ROOT_FIELD_COST, page: { arg: 'first', byDefault: 20, max: MAX_PAGE } },
  'TorrentConnection.nodes': { items: 'page' },
  'TorrentConnection.edges': { items: 'page' },
  'TorrentConnection.totalCount': { self: ROOT_FIELD_COST }, // a COUNT over the search
  'Query.users': { self: ROOT_FIELD_COST, items: { byDefault: 100, max: 100 } },
  'Query.apiTokens': { self: ROOT_FIELD_COST, items: { byDefault: 100, max: 100 } },
  'Torrent.files': { items: { arg: 'first', byDefault: MAX_FILE_PAGE, max: MAX_FILE_PAGE } },
  'Swarm.peers': { items: { arg: 'first', byDefault: DEFAULT_PEERS_PAGE, max: MAX_PEERS_PAGE } },
  'Swarm.history': { self: 5, items: { byDefault: MAX_HISTORY_POINTS, max: MAX_HISTORY_POINTS } }, // a read of up to 4,320 samples
  'Torrent.description': { self: 200 }, // up to 20,000 characters
  'Torrent.magnetUri': { self: 5 }, // name, trackers, webseed and .torrent URLs
  'Torrent.name': { self: 3 },
  'Torrent.metainfoName': { self: 3 },
  'TorrentFile.path': { self: 2 },
};

/** Sizes of the schema's own lists, for introspection: the largest, and the average over all. */
interface Sizes {
  types: number;
  directives: number;
  fields: [number, number];
  inputFields: [number, number];
  enumValues: [number, number];
  interfaces: [number, number];
  possibleTypes: [number, number];
  args: [number, number];
  directiveArgs: [number, number];
  locations: [number, number];
}

function measure(schema: GraphQLSchema): Sizes {
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  const fields = types.flatMap((t) => (isObjectType(t) || isInterfaceType(t) ? Object.values(t.getFields()) : []));
  const per = (counts: number[], over: number): [number, number] => [Math.max(0, ...counts), over === 0 ? 0 : counts.reduce((s, n) => s + n, 0) / over];
  return {
    types: types.length,
    directives: directives.length,
    fields: per(types.map((t) => (isObjectType(t) || isInterfaceType(t) ? Object.keys(t.getFields()).length : 0)), types.length),
    inputFields: per(types.map((t) => (isInputObjectType(t) ? Object.keys(t.getFields()).length : 0)), types.length),
    enumValues: per(types.map((t) => (isEnumType(t) ? t.getValues().length : 0)), types.length),
    interfaces: per(types.map((t) => (isObjectType(t) || isInterfaceType(t) ? t.getInterfaces().length : 0)), types.length),
    possibleTypes: per(types.map((t) => (isAbstractType(t) ? schema.getPossibleTypes(t).length : 0)), types.length),
    args: per(fields.map((f) => f.args.length), fields.length),
    directiveArgs: per(directives.map((d) => d.args.length), directives.length),
    locations: per(directives.map((d) => d.locations.length), directives.length),
  };
}

/**
 * An introspection list. Its parent object may be one of a complete enumeration (every type, every
 * field of every type): the average size is then exact for the sum over them; otherwise the largest.
 */
export interface IntrospectionList {
  items: (enumerating: boolean) => number;
  /** Whether the items are a complete enumeration too (fields of every type: yes; interfaces: no). */
  enumerates: (enumerating: boolean) => boolean;
}

const cache = new WeakMap<GraphQLSchema, Map<string, IntrospectionList>>();

/** The introspection lists of `schema` by "Type.field" (computed once per schema). */
export function introspectionLists(schema: GraphQLSchema): Map<string, IntrospectionList> {
  const known = cache.get(schema);
  if (known !== undefined) return known;
  const s = measure(schema);
  const all = (n: number): IntrospectionList => ({ items: () => n, enumerates: () => true });
  const members = ([max, avg]: [number, number]): IntrospectionList => ({ items: (e) => (e ? avg : max), enumerates: (e) => e });
  const references = ([max, avg]: [number, number]): IntrospectionList => ({ items: (e) => (e ? avg : max), enumerates: () => false });
  const lists = new Map<string, IntrospectionList>([
    ['__Schema.types', all(s.types)],
    ['__Schema.directives', all(s.directives)],
    ['__Type.fields', members(s.fields)],
    ['__Type.inputFields', members(s.inputFields)],
    ['__Type.enumValues', members(s.enumValues)],
    ['__Type.interfaces', references(s.interfaces)],
    ['__Type.possibleTypes', references(s.possibleTypes)],
    ['__Field.args', members(s.args)],
    ['__Directive.args', members(s.directiveArgs)],
    ['__Directive.locations', members(s.locations)],
  ]);
  cache.set(schema, lists);
  return lists;
}

/** The cost entry of `Type.field` (undefined: a plain value costing 1). */
export function fieldCost(key: string): FieldCost | undefined {
  return TABLE[key];
}

/** Every "Type.field" of `schema` outside introspection whose type is a list. */
export function listFields(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__') || !(isObjectType(t) || isInterfaceType(t))) continue;
    for (const f of Object.values(t.getFields())) {
      const type = isNonNullType(f.type) ? f.type.ofType : f.type;
      if (isListType(type)) out.push(`${t.name}.${f.name}`);
    }
  }
  return out;
}
