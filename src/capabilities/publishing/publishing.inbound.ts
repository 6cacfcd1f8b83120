import { z } from 'zod';
import { defineInboundAdapter } from '../../kit/inbound-adapter.js';

/**
 * A printer reports a print job on a published artifact version: accepted,
 * printed, shipped, or rejected with a reason. Applied as the printer through
 * reportPrintJobStatus (it needs artifact:report_print on that artifact), so a
 * version of another occasion, or a draft, is NOT_FOUND like in the API.
 */
export const printJobStatus = defineInboundAdapter({
  type: 'print_job.status',
  description: 'A print job’s status on a published artifact version (ACCEPTED, PRINTED, SHIPPED, or REJECTED with a reason).',
  data: z.object({
    versionId: z.string().min(1).max(200),
    jobRef: z.string().trim().min(1).max(100),
    status: z.enum(['ACCEPTED', 'PRINTED', 'SHIPPED', 'REJECTED']),
    reason: z.string().trim().max(1000).optional(),
  }),
  operation: (d) => ({
    document: `mutation InboundPrintJobStatus($input: ReportPrintJobStatusInput!) {
      reportPrintJobStatus(input: $input) {
        __typename
        ... on Error { code message }
        ... on ValidationError { fields { path message } }
      }
    }`,
    variables: { input: { versionId: d.versionId, externalRef: d.jobRef, status: d.status, ...(d.reason ? { reason: d.reason } : {}) } },
  }),
});

export const PUBLISHING_INBOUND_ADAPTERS = [printJobStatus];
