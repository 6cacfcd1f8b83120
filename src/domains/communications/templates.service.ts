import { z } from 'zod';
import type { CommChannel, CommKind } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import type { Caller } from '../../platform/principal.js';
import { actorIdOf } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import type { TemplateSource } from './templates/kinds.js';

const localeInput = z.object({ locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'A language tag such as en, he or en-GB.') });

/**
 * A new version of the occasion's template for kind × channel × locale (the
 * first save creates it). Versions are never changed or removed: a message
 * keeps the version it was queued with. The caller has checked the source.
 */
export async function saveTemplate(
  tx: Tx,
  caller: Caller,
  occasionId: string,
  input: { kind: CommKind; channel: CommChannel; locale: string; source: TemplateSource },
) {
  const { locale } = parseInput(localeInput, { locale: input.locale });
  const createdByActorId = await actorIdOf(tx, caller.principal, occasionId);
  const template = await tx.commTemplate.upsert({
    where: { occasionId_kind_channel_locale: { occasionId, kind: input.kind, channel: input.channel, locale } },
    create: { occasionId, kind: input.kind, channel: input.channel, locale, currentVersion: 1 },
    update: { currentVersion: { increment: 1 } },
  });
  const version = await tx.commTemplateVersion.create({
    data: { templateId: template.id, version: template.currentVersion, ...input.source, createdByActorId },
  });
  await recordAudit(tx, caller, {
    action: 'communications:manage_templates',
    occasionId,
    target: { type: 'CommTemplate', id: template.id },
    after: { kind: input.kind, channel: input.channel, locale, version: version.version },
  });
  return version;
}
