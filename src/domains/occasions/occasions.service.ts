import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, unauthenticated } from '../../platform/errors.js';
import { parseInput as parse } from '../../platform/validation.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { occasionCreated, occasionDeleted, occasionUpdated } from './occasions.business-events.js';

const TIMEZONES = new Set(Intl.supportedValuesOf('timeZone').concat('UTC'));
export const OCCASION_KINDS = ['WEDDING', 'CELEBRATION', 'GALA', 'CONFERENCE', 'OTHER'] as const;

const fields = {
  name: z.string().trim().min(1, 'Give the occasion a name.').max(200),
  kind: z.enum(OCCASION_KINDS),
  timezone: z.string().refine((tz) => TIMEZONES.has(tz), 'Unknown IANA time zone, e.g. Europe/London.'),
  defaultLocale: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'Use a locale such as en or en-GB.'),
  branding: z
    .record(z.string(), z.union([z.string().max(500), z.number(), z.boolean()]))
    .refine((b) => Object.keys(b).length <= 50, 'At most 50 branding keys.'),
};
const createInput = z.object({
  ...fields,
  kind: fields.kind.default('OTHER'),
  timezone: fields.timezone.default('UTC'),
  defaultLocale: fields.defaultLocale.default('en'),
  branding: fields.branding.default({}),
});
const updateInput = z.object(fields).partial();

/**
 * A signed-in user creates an occasion and becomes its owner: a person actor
 * linked to them, holding the owner role at occasion scope.
 */
export async function createOccasion(tx: Tx, caller: Caller, input: unknown) {
  const p = caller.principal;
  if (p.kind !== 'user') throw unauthenticated();
  const data = parse(createInput, input);
  const user = await tx.user.findUniqueOrThrow({ where: { id: p.userId } });
  const occasion = await tx.occasion.create({ data: { ...data, createdByUserId: user.id } });
  const actor = await tx.actor.create({
    data: { occasionId: occasion.id, kind: 'PERSON', displayName: user.displayName, email: user.email, userId: user.id },
  });
  await tx.grant.create({
    data: { occasionId: occasion.id, subjectType: 'ACTOR', subjectActorId: actor.id, role: 'owner', scopeType: 'OCCASION', grantedByUserId: user.id },
  });
  await recordAudit(tx, caller, {
    action: 'occasion:create',
    occasionId: occasion.id,
    target: { type: 'Occasion', id: occasion.id },
    after: occasion,
  });
  await recordBusinessEvent(
    tx,
    caller,
    occasionCreated,
    { occasionId: occasion.id, name: occasion.name, kind: occasion.kind },
    { occasionId: occasion.id },
  );
  return occasion;
}

export async function updateOccasion(tx: Tx, caller: Caller, id: string, input: unknown) {
  const patch = parse(updateInput, input);
  const before = await tx.occasion.findUnique({ where: { id } });
  if (!before) throw notFound('Occasion');
  const after = await tx.occasion.update({ where: { id }, data: patch });
  const changed = Object.keys(patch);
  await recordAudit(tx, caller, { action: 'occasion:update', occasionId: id, target: { type: 'Occasion', id }, before, after });
  await recordBusinessEvent(tx, caller, occasionUpdated, { occasionId: id, changed }, { occasionId: id });
  return after;
}

export async function deleteOccasion(tx: Tx, caller: Caller, id: string) {
  const before = await tx.occasion.findUnique({ where: { id } });
  if (!before) throw notFound('Occasion');
  await recordAudit(tx, caller, { action: 'occasion:delete', occasionId: id, target: { type: 'Occasion', id }, before });
  await recordBusinessEvent(tx, caller, occasionDeleted, { occasionId: id }, { occasionId: id });
  await tx.occasion.delete({ where: { id } });
  return before;
}
