import type { Target } from '../../kit/authorization.js';
import { isUuid } from '../../kit/ids.js';
import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { type AssetSubjectDefinition, type AssetSubjects, subjectTarget } from './asset-subjects.js';

/*
 * Which files a subject uses, in which role and order: an occasion's logo, an
 * event's cover. The subject's owner says what roles it takes and which action
 * attaching needs there (the caller's check of it is passed in: the schema
 * checks it through its declared rule). A subject of another occasion than the
 * file's is NOT_FOUND, like one that does not exist.
 */

/** Checks `action` on `target`, throwing the engine's refusal (the schema's declaredChecks). */
export type CheckAction = (action: string, target: Target) => Promise<void>;

export interface SubjectRef {
  subjectType: string;
  subjectId: string;
}

interface ResolvedSubject {
  definition: AssetSubjectDefinition;
  occasionId: string;
}

/** The subject, in `occasionId` (when given), with the caller allowed to attach there; else NOT_FOUND or the refusal. */
async function attachableSubject(
  tx: Tx,
  subjects: AssetSubjects,
  ref: SubjectRef,
  occasionId: string | null,
  check: CheckAction,
): Promise<ResolvedSubject> {
  const definition = subjects.get(ref.subjectType);
  if (!definition || !isUuid(ref.subjectId)) throw notFound(ref.subjectType);
  const target = await subjectTarget(definition, tx, ref.subjectId);
  if (!target || (occasionId !== null && target.occasionId !== occasionId)) throw notFound(definition.what);
  if (!definition.attachAction) {
    throw new ValidationError(`Files are attached to a ${definition.what.toLowerCase()} by the system only.`, [
      { path: 'input.subjectType', message: 'Attached by the system only.' },
    ]);
  }
  await check(definition.attachAction, target);
  return { definition, occasionId: target.occasionId };
}

function checkRole(definition: AssetSubjectDefinition, role: string): void {
  if (!definition.roles.includes(role)) {
    const message = `A ${definition.what.toLowerCase()} takes files as ${definition.roles.join(', ')}.`;
    throw new ValidationError(message, [{ path: 'input.role', message }]);
  }
}

/** The asset's row, locked against a concurrent delete (which then waits, and finds it attached). */
async function lockAsset(tx: Tx, assetId: string) {
  const [row] = await tx.$queryRaw<{ id: string; occasion_id: string; status: string }[]>`
    SELECT id, occasion_id, status::text FROM assets WHERE id = ${assetId}::uuid FOR SHARE`;
  if (!row) throw notFound('Asset');
  return { id: row.id, occasionId: row.occasion_id, status: row.status };
}

export async function attachAsset(
  tx: Tx,
  caller: Caller,
  subjects: AssetSubjects,
  check: CheckAction,
  input: SubjectRef & { assetId: string; role: string; position?: number | null },
) {
  const asset = await lockAsset(tx, input.assetId);
  const { definition } = await attachableSubject(tx, subjects, input, asset.occasionId, check);
  checkRole(definition, input.role);
  if (asset.status !== 'READY') {
    throw new ValidationError('Finish the upload (finalizeAsset) before attaching the file.', [
      { path: 'input.assetId', message: 'Not uploaded yet.' },
    ]);
  }
  if (input.position != null && (input.position < 0 || input.position > 10_000)) {
    throw new ValidationError('position: 0 to 10000.', [{ path: 'input.position', message: '0 to 10000.' }]);
  }
  const where = { subjectType: input.subjectType, subjectId: input.subjectId, role: input.role };
  const position = input.position ?? ((await tx.assetAttachment.aggregate({ where, _max: { position: true } }))._max.position ?? -1) + 1;
  const attachment = await tx.assetAttachment.upsert({
    where: { subjectType_subjectId_role_assetId: { ...where, assetId: asset.id } },
    create: { ...where, occasionId: asset.occasionId, assetId: asset.id, position },
    update: { position },
  });
  await recordAudit(tx, caller, {
    action: 'asset:attach',
    occasionId: asset.occasionId,
    target: { type: 'Asset', id: asset.id },
    scope: where,
    after: attachment,
  });
  return asset;
}

/** Detaches the asset from the subject (in `role`, or in every role): NOT_FOUND when it is not attached there. */
export async function detachAsset(
  tx: Tx,
  caller: Caller,
  subjects: AssetSubjects,
  check: CheckAction,
  input: SubjectRef & { assetId: string; role?: string | null },
) {
  const asset = await lockAsset(tx, input.assetId);
  await attachableSubject(tx, subjects, input, asset.occasionId, check);
  const where = { assetId: asset.id, subjectType: input.subjectType, subjectId: input.subjectId, ...(input.role ? { role: input.role } : {}) };
  const before = await tx.assetAttachment.findMany({ where });
  if (!before.length) throw notFound('Attachment');
  await tx.assetAttachment.deleteMany({ where });
  await recordAudit(tx, caller, {
    action: 'asset:detach',
    occasionId: asset.occasionId,
    target: { type: 'Asset', id: asset.id },
    scope: { subjectType: input.subjectType, subjectId: input.subjectId, role: input.role ?? null },
    before,
  });
  return asset;
}

/** The occasion a subject belongs to, for the reorder rule's target; NOT_FOUND when it does not exist. */
export async function occasionOfSubject(db: Prisma | Tx, subjects: AssetSubjects, ref: SubjectRef) {
  const definition = subjects.get(ref.subjectType);
  const occasionId = definition && isUuid(ref.subjectId) ? await definition.occasionOf(db, ref.subjectId) : null;
  if (!definition || !occasionId) throw notFound(definition?.what ?? ref.subjectType);
  return occasionId;
}

/**
 * Puts the listed assets first, in the order given, in the subject's `role`; the others attached there keep their
 * order after them. Every listed asset must be attached there (else NOT_FOUND).
 */
export async function reorderAttachments(
  tx: Tx,
  caller: Caller,
  subjects: AssetSubjects,
  check: CheckAction,
  input: SubjectRef & { role: string; assetIds: string[] },
) {
  const { definition, occasionId } = await attachableSubject(tx, subjects, input, null, check);
  checkRole(definition, input.role);
  if (new Set(input.assetIds).size !== input.assetIds.length || input.assetIds.length > 500) {
    throw new ValidationError('List each file once (at most 500).', [{ path: 'input.assetIds', message: 'Each file once, at most 500.' }]);
  }
  const where = { subjectType: input.subjectType, subjectId: input.subjectId, role: input.role };
  const current = await tx.assetAttachment.findMany({ where, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }] });
  const byAsset = new Map(current.map((a) => [a.assetId, a]));
  if (input.assetIds.some((id) => !byAsset.has(id))) throw notFound('Asset');
  const order = [...input.assetIds, ...current.map((a) => a.assetId).filter((id) => !input.assetIds.includes(id))];
  for (const [position, assetId] of order.entries()) {
    if (byAsset.get(assetId)!.position !== position) await tx.assetAttachment.update({ where: { id: byAsset.get(assetId)!.id }, data: { position } });
  }
  await recordAudit(tx, caller, {
    action: 'asset:reorder',
    occasionId,
    target: { type: definition.type, id: input.subjectId },
    scope: where,
    before: current.map((a) => a.assetId),
    after: order,
  });
  return order;
}
