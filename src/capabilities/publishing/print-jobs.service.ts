import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { PrintJobTransitionError } from './publishing.errors.js';
import { printJobUpdated } from './publishing.business-events.js';

/*
 * A printer's jobs on a published version, as it reports them (through the
 * API or its verified inbound webhook): accepted → printed → shipped, or
 * rejected with a reason. The planner sees them on the version; each report
 * that changes something is an event of its own (print_job.updated).
 */

export const PRINT_JOB_STATUSES = ['ACCEPTED', 'PRINTED', 'SHIPPED', 'REJECTED'] as const;
type Status = (typeof PRINT_JOB_STATUSES)[number];

/** Where a job may go from each status (null: a job not reported before). A repeated report changes nothing. */
const NEXT: Record<Status | 'NEW', readonly Status[]> = {
  NEW: ['ACCEPTED', 'REJECTED'],
  ACCEPTED: ['PRINTED', 'REJECTED'],
  PRINTED: ['SHIPPED'],
  SHIPPED: [],
  REJECTED: [],
};

const reportInput = z
  .object({
    externalRef: z.string().trim().min(1, 'Give the printer’s job reference.').max(100),
    status: z.enum(PRINT_JOB_STATUSES),
    reason: z.string().trim().max(1000).optional(),
  })
  .refine((r) => r.status !== 'REJECTED' || !!r.reason, { message: 'Say why the job was rejected.', path: ['reason'] });

export async function reportPrintJobStatus(tx: Tx, caller: Caller, versionId: string, input: unknown) {
  const data = parseInput(reportInput, input);
  const v = await tx.artifactVersion.findUnique({ where: { id: versionId }, include: { artifact: { select: { definitionKey: true } } } });
  // Drafts are not the printer's to print: the same answer as an id that does not exist.
  if (!v || (v.status !== 'PUBLISHED' && v.status !== 'SUPERSEDED')) throw notFound('Artifact version');
  const integrationId = caller.principal.kind === 'integration' ? caller.principal.integrationId : null;
  // The job row is locked while it changes: two reports racing apply one after the other.
  await tx.$executeRaw`SELECT 1 FROM print_jobs WHERE artifact_version_id = ${versionId}::uuid AND external_ref = ${data.externalRef} FOR UPDATE`;
  const before = await tx.printJob.findUnique({
    where: { artifactVersionId_externalRef: { artifactVersionId: versionId, externalRef: data.externalRef } },
  });
  if (before?.status === data.status) return before;
  const from = before?.status ?? 'NEW';
  if (!NEXT[from].includes(data.status)) {
    throw new PrintJobTransitionError(
      from === 'NEW'
        ? `A new print job starts ACCEPTED or REJECTED, not ${data.status}.`
        : `Print job ${data.externalRef} is ${from}; it cannot become ${data.status}.`,
      from,
      data.status,
    );
  }
  const entry = { status: data.status, reason: data.reason ?? null, at: new Date().toISOString(), integrationId };
  const job = before
    ? await tx.printJob.update({
        where: { id: before.id },
        data: { status: data.status, reason: data.reason ?? null, history: [...(before.history as object[]), entry] },
      })
    : await tx.printJob.create({
        data: {
          occasionId: v.occasionId,
          artifactVersionId: versionId,
          integrationId,
          externalRef: data.externalRef,
          status: data.status,
          reason: data.reason ?? null,
          history: [entry],
        },
      });
  await recordAudit(tx, caller, {
    action: 'artifact:report_print',
    occasionId: v.occasionId,
    target: { type: 'PrintJob', id: job.id },
    before,
    after: job,
  });
  await recordBusinessEvent(
    tx,
    caller,
    printJobUpdated,
    {
      occasionId: v.occasionId,
      artifactId: v.artifactId,
      versionId,
      number: v.number,
      definitionKey: v.artifact.definitionKey,
      printJobId: job.id,
      externalRef: job.externalRef,
      status: job.status,
      previousStatus: before?.status ?? null,
      reason: job.reason,
      integrationId,
    },
    { occasionId: v.occasionId, resource: { type: 'Artifact', id: v.artifactId } },
  );
  return job;
}
