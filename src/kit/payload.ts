import type { ShapeFromTypeParam, TypeParam } from '@pothos/core';
import { builder } from './builder.js';
import { encodeGlobalID } from './ids.js';
import { inheritedType } from './rules.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/**
 * `<Verb><Noun>Payload { <field>: <Type> }`: the changed object, returned by a
 * mutation. The object's own type rule still applies when it is read.
 */
export function payload<Type extends TypeParam<Types>>(name: string, field: string, type: Type, description?: string) {
  return builder.objectRef<Record<string, ShapeFromTypeParam<Types, Type, false>>>(name).implement({
    ...inheritedType,
    description,
    fields: (t) => ({
      [field]: t.field({ type, ...inheritedType, resolve: (p) => p[field]! }),
    }),
  });
}

/** Payload of a delete: the id that no longer exists. */
export function deletedPayload(name: string, typename: string) {
  return builder.objectRef<{ id: string }>(name).implement({
    ...inheritedType,
    fields: (t) => ({
      deletedId: t.id({ ...inheritedType, description: `Global id of the deleted ${typename}.`, resolve: (p) => encodeGlobalID(typename, p.id) }),
    }),
  });
}

/** Drop nulls: in update inputs GraphQL null means "leave unchanged". */
export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as never;
}
