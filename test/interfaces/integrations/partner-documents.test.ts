import { getNamedType, type GraphQLNamedType, type GraphQLSchema, isObjectType, parse, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../../src/interfaces/graphql/schema.js';
import { actionsOfDocument } from '../../../src/interfaces/integrations/operation-allowlist.js';
import { loadPersistedManifest } from '../../../src/interfaces/integrations/persisted-operations.js';

/**
 * The rule for every partner document we ship (the persisted manifest):
 * partners get published outputs, summaries and event metadata, never guest
 * records. A shipped document therefore
 * - needs no action that reads guest records: any `actor:*` or `guest:*`
 *   action, `rsvp:view` / `rsvp:manage` / `rsvp:override` (raw invitations
 *   and responses), `forms:read_answers`, `seating:view` (who sits where); and
 * - selects no field whose type is a guest record (a person or household, a
 *   membership or relationship, an invitation, a response or its history, a
 *   form submission or answer, a guest link or the guest's own view), read
 *   directly, in a list or through a connection.
 * Aggregates such as the catering summary (`rsvp:read_catering`) are fine.
 * A partner that needs more gets a published output (a later issue), not a
 * guest record.
 */

const GUEST_RECORD_ACTION = /^(actor|guest):|^rsvp:(view|manage|override)$|^forms:read_answers$|^seating:view$/;
const GUEST_RECORD_TYPES = new Set([
  'Actor',
  'Membership',
  'Relationship',
  'RsvpInvitation',
  'RsvpResponse',
  'RsvpResponseChange',
  'FormSubmission',
  'FormAnswer',
  'GuestAccess',
  'IssuedGuestLink',
  'GuestInvitation',
  'GuestPerson',
  'GuestResponse',
  'GuestAnswer',
  // who sits where: names, meals and notices of seated guests (venues get tables, seats and counts)
  'SeatingGuest',
  'SeatingOccupant',
  'SeatingNotice',
]);

/** The record a type stands for: a connection's or edge's node, else the type itself. */
function recordType(t: GraphQLNamedType): GraphQLNamedType {
  if (!isObjectType(t)) return t;
  const fields = t.getFields();
  if (fields.edges) return recordType(getNamedType(fields.edges.type));
  if (fields.node && t.name.endsWith('Edge')) return getNamedType(fields.node.type);
  return t;
}

function guestRecordReads(schema: GraphQLSchema, document: string): string[] {
  const found = [...actionsOfDocument(schema, document)].filter((a) => GUEST_RECORD_ACTION.test(a)).map((a) => `needs ${a}`);
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(document),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        if (!def) return;
        const record = recordType(getNamedType(def.type));
        if (GUEST_RECORD_TYPES.has(record.name)) found.push(`${typeInfo.getParentType()?.name}.${node.name.value} is ${record.name}`);
      },
    }),
  );
  return found;
}

const schema = buildSchema();
const manifest = loadPersistedManifest();

describe('shipped partner documents read no guest records', () => {
  it('the rule catches what it is about (a guest record read directly, through a connection, or by its action)', () => {
    expect(guestRecordReads(schema, 'query P($actorId: ID!) { actor(id: $actorId) { id kind displayName } }')).toEqual(
      expect.arrayContaining(['needs actor:read', 'Query.actor is Actor']),
    );
    expect(
      guestRecordReads(schema, 'query R($eventId: ID!) { event(id: $eventId) { rsvpResponses(first: 5) { edges { node { status } } } } }'),
    ).toEqual(expect.arrayContaining(['needs rsvp:view', 'Event.rsvpResponses is RsvpResponse']));
    expect(guestRecordReads(schema, 'query E($eventId: ID!) { event(id: $eventId) { rsvpExportCsv } }')).not.toEqual([]);
    expect(guestRecordReads(schema, 'query C($eventId: ID!) { event(id: $eventId) { name cateringSummary { headcount } } }')).toEqual([]);
  });

  it.each([...manifest.entries()].map(([id, doc]) => [doc.slice(0, doc.indexOf('(')), id, doc]))('%s', (_name, _id, doc) => {
    expect(guestRecordReads(schema, doc)).toEqual([]);
  });
});
