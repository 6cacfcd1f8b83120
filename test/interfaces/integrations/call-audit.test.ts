import { type FieldNode, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../../src/kit/ids.js';
import { targetsOf } from '../../../src/interfaces/integrations/call-audit.js';

/** What an integration call's audit row names as its resources: the ids its root fields were called with. */

const INVITATION = '019a0000-0000-7000-8000-000000000001';
const EVENT_A = '019a0000-0000-7000-8000-00000000000a';
const EVENT_B = '019a0000-0000-7000-8000-00000000000b';

const rootOf = (doc: string) =>
  (parse(doc).definitions[0] as OperationDefinitionNode).selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);

describe('integration call targets', () => {
  it('finds ids in input objects and lists held by variables, first named first, each once, as type + id', () => {
    const fields = rootOf(`mutation($input: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $input) { __typename } }`);
    const input = {
      invitationId: encodeGlobalID('RsvpInvitation', INVITATION),
      reason: 'Reply card RC-1 scanned',
      responses: [
        { eventId: encodeGlobalID('Event', EVENT_A), status: 'ATTENDING' },
        { eventId: encodeGlobalID('Event', EVENT_B), status: 'DECLINED' },
        { eventId: encodeGlobalID('Event', EVENT_A), status: 'DECLINED' },
      ],
    };
    expect(targetsOf(fields, { input })).toEqual([
      { type: 'RsvpInvitation', id: INVITATION },
      { type: 'Event', id: EVENT_A },
      { type: 'Event', id: EVENT_B },
    ]);
  });

  it('reads literal arguments too, and ignores strings that are not ids', () => {
    const fields = rootOf(`{ event(id: "${encodeGlobalID('Event', EVENT_A)}") { id } other: event(id: "not-an-id") { id } }`);
    expect(targetsOf(fields, {})).toEqual([{ type: 'Event', id: EVENT_A }]);
  });
});
