import { moduleRegistry } from '../../modules/registry.js';
import { builder } from '../graphql/builder.js';
import { authenticatedField, inheritedType } from '../graphql/rules.js';
import { buildEventCatalog, type CatalogEntry } from './event-catalog.js';

const catalog = buildEventCatalog(moduleRegistry);

const EventTypeInfo = builder.objectRef<CatalogEntry>('BusinessEventType').implement({
  ...inheritedType,
  description: 'A business event a webhook endpoint can subscribe to.',
  fields: (t) => ({
    type: t.exposeString('type', { ...inheritedType, description: 'resource.pastVerb, e.g. rsvp.submitted.' }),
    description: t.exposeString('description', inheritedType),
    requiredAction: t.exposeString('requiredAction', {
      ...inheritedType,
      description: 'What a subscriber must be allowed on the event’s target to receive it.',
    }),
    source: t.exposeString('source', { ...inheritedType, description: '"core" or the module that emits it.' }),
    payloadSchema: t.expose('payloadSchema', { type: 'JSON', ...inheritedType, description: 'The payload as JSON Schema.' }),
  }),
});

builder.queryField('businessEventTypes', (t) =>
  t.field({
    type: [EventTypeInfo],
    ...authenticatedField,
    description: 'The event catalog: every business event of this server, with its payload schema. Public knowledge, not data.',
    resolve: () => [...catalog.values()],
  }),
);
