import { createHash } from 'node:crypto';
import type { Tx } from '../../platform/db/client.js';

/*
 * Files a capability generates (a rendered artifact's PDF), as assets. The
 * bytes are put in storage first, under a key that depends only on what is
 * rendered (the version and the file's role), so a job that dies and runs
 * again overwrites the same object instead of leaving an orphan; the rows are
 * written in the caller's transaction, so the file exists for the API if and
 * only if that transaction commits.
 */

export interface GeneratedFile {
  occasionId: string;
  storageKey: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The asset row of a generated file (READY, system), attached to its subject in `role`; the same key again updates it. */
export async function recordGeneratedAsset(
  tx: Tx,
  file: GeneratedFile & { sha256: string; width?: number | null; height?: number | null },
  attach: { subjectType: string; subjectId: string; role: string; position?: number },
): Promise<{ assetId: string }> {
  const data = {
    occasionId: file.occasionId,
    status: 'READY' as const,
    filename: file.filename,
    contentType: file.contentType,
    byteSize: BigInt(file.bytes.byteLength),
    sha256: file.sha256,
    width: file.width ?? null,
    height: file.height ?? null,
    system: true,
    readyAt: new Date(),
  };
  const asset = await tx.asset.upsert({
    where: { storageKey: file.storageKey },
    create: { ...data, storageKey: file.storageKey },
    update: data,
    select: { id: true },
  });
  await tx.assetAttachment.upsert({
    where: {
      subjectType_subjectId_role_assetId: { subjectType: attach.subjectType, subjectId: attach.subjectId, role: attach.role, assetId: asset.id },
    },
    create: {
      occasionId: file.occasionId,
      assetId: asset.id,
      subjectType: attach.subjectType,
      subjectId: attach.subjectId,
      role: attach.role,
      position: attach.position ?? 0,
    },
    update: { position: attach.position ?? 0 },
  });
  return { assetId: asset.id };
}
