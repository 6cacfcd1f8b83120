import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const version = z.object({
  occasionId: z.uuid(),
  artifactId: z.uuid(),
  versionId: z.uuid(),
  number: z.number().int(),
  definitionKey: z.string(),
});

export const artifactRendered = defineBusinessEvent({
  type: 'artifact.rendered',
  description: 'A render job finished a version (RENDERED, ready to check and publish) or gave up on it (FAILED). Drafts: planners only.',
  payload: version.extend({ status: z.enum(['RENDERED', 'FAILED']), error: z.string().nullable() }),
  requiredAction: 'artifact:manage',
  resource: 'Artifact',
});
export const artifactPublished = defineBusinessEvent({
  type: 'artifact.published',
  description: 'A version was published: frozen, content-hashed; it supersedes the previously published one.',
  payload: version.extend({ contentHash: z.string(), supersededVersionId: z.uuid().nullable() }),
  requiredAction: 'artifact:read',
  resource: 'Artifact',
});
export const printableGenerated = defineBusinessEvent({
  type: 'printable.generated',
  description:
    'A printable artifact (an invitation package) was published and is ready for print production. The envelope’s resourceId names the artifact; its files are fetched through the API.',
  payload: version.extend({ contentHash: z.string(), pages: z.number().int().nullable() }),
  requiredAction: 'artifact:read',
  resource: 'Artifact',
});
export const printJobUpdated = defineBusinessEvent({
  type: 'print_job.updated',
  description: 'A printer reported a print job’s status for a published version (accepted, printed, shipped, or rejected with a reason).',
  payload: version.extend({
    printJobId: z.uuid(),
    externalRef: z.string(),
    status: z.enum(['ACCEPTED', 'PRINTED', 'SHIPPED', 'REJECTED']),
    previousStatus: z.enum(['ACCEPTED', 'PRINTED', 'SHIPPED', 'REJECTED']).nullable(),
    reason: z.string().nullable(),
    integrationId: z.uuid().nullable(),
  }),
  requiredAction: 'artifact:read',
  resource: 'Artifact',
});

export const PUBLISHING_BUSINESS_EVENTS = [artifactRendered, artifactPublished, printableGenerated, printJobUpdated];
