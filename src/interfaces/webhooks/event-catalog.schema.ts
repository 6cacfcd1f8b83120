import { builder } from '../../kit/builder.js';
import { authenticatedField, inheritedType } from '../../kit/rules.js';
import { type CatalogEntry, eventCatalog } from './event-catalog.js';

const BusinessEventTypeInfo = builder.objectRef<CatalogEntry>('BusinessEventType').implement({
  ...inheritedType,
  description: 'A business event a webhook endpoint can subscribe to.',
  fields: (t) => ({
    type: t.exposeString('type', { ...inheritedType, description: 'resource.pastVerb, e.g. rsvp.submitted.' }),
    description: t.exposeString('description', inheritedType),
    requiredAction: t.exposeString('requiredAction', {
      ...inheritedType,
      description: 'What a subscriber must be allowed on the event’s target to receive it.',
    }),
    anyOfActions: t.exposeStringList('anyOfActions', {
      ...inheritedType,
      description:
        'Any one of these suffices to receive it (requiredAction first). Envelopes are thin, so hearing of an event can be allowed more widely than reading it.',
    }),
    source: t.exposeString('source', { ...inheritedType, description: '"core" or the module that emits it.' }),
    payloadSchema: t.expose('payloadSchema', {
      type: 'JSON',
      ...inheritedType,
      description:
        'The payload recorded with the event, as JSON Schema. Webhook envelopes do not carry it: they carry type and ids, plus what the endpoint’s document renders.',
    }),
  }),
});

builder.queryField('businessEventTypes', (t) =>
  t.field({
    type: [BusinessEventTypeInfo],
    ...authenticatedField,
    description: 'The event catalog: every business event of this server, with its payload schema. Public knowledge, not data.',
    resolve: () => [...eventCatalog().values()],
  }),
);
