import { builder } from './builder.js';
import { encodeGlobalID } from './ids.js';
import { inheritedType } from './rules.js';

/**
 * `<Verb><Noun>Payload { <field>: <Type> }`: the changed object, returned by a
 * mutation. The object's own type rule still applies when it is read.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function payload<T>(name: string, field: string, type: any, description?: string) {
  return builder.objectRef<Record<string, T>>(name).implement({
    ...inheritedType,
    description,
    fields: (t) => ({
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      [field]: t.field({ type, ...inheritedType, resolve: (p) => p[field] as any }),
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
