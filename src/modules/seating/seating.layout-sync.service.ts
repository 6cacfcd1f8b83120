import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { requireEnabled } from '../../domains/module-platform/module-platform.service.js';
import { TableFullError } from './seating.errors.js';
import { lockPlan } from './seating.plan.service.js';

/*
 * A venue's layout, pushed as it is in the venue's own system: rooms and
 * tables matched by the venue's external ids, created or updated in place
 * (a table keeps its id, so who sits there stays seated). Rooms and tables
 * the push does not name are left alone: a partial push never deletes.
 */

const ext = z.string().trim().min(1).max(200);
export const layoutInput = z.object({
  rooms: z.array(z.object({ externalId: ext, name: z.string().trim().min(1).max(100) })).max(100),
  tables: z
    .array(
      z.object({
        externalId: ext,
        label: z.string().trim().min(1).max(100),
        capacity: z.number().int().min(1).max(200),
        shape: z.enum(['ROUND', 'RECTANGLE', 'SQUARE', 'OVAL', 'OTHER']).optional(),
        roomExternalId: ext.nullish(),
        x: z.number().finite().nullish(),
        y: z.number().finite().nullish(),
        rotation: z.number().finite().min(-360).max(360).nullish(),
        seatLabels: z.array(z.string().trim().min(1).max(20)).max(200).optional(),
      }),
    )
    .max(1000),
});
export type LayoutInput = z.input<typeof layoutInput>;

export async function syncSeatingLayout(tx: Tx, caller: Caller, eventId: string, input: LayoutInput, expectedRevision?: number | null) {
  const parsed = layoutInput.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const { rooms, tables } = parsed.data;
  const dup = (ids: string[]) => ids.find((id, i) => ids.indexOf(id) !== i);
  const twice = dup(rooms.map((r) => r.externalId)) ?? dup(tables.map((t) => t.externalId));
  if (twice)
    throw new ValidationError(`input: external id ${twice} is named twice.`, [{ path: 'input', message: `External id ${twice} is named twice.` }]);

  const en = await requireEnabled(tx, eventId, 'seating');
  // The venue may push before a planner started the plan: the layout is where a plan starts.
  const existing = await tx.seatingPlan.findUnique({ where: { eventId }, select: { id: true } });
  const planId = existing?.id ?? (await tx.seatingPlan.create({ data: { occasionId: en.occasionId, eventId }, select: { id: true } })).id;
  const plan = await lockPlan(tx, planId, existing ? expectedRevision : null);

  const roomIds = new Map<string, string>();
  for (const r of rooms) {
    const row = await tx.seatingRoom.upsert({
      where: { planId_externalId: { planId, externalId: r.externalId } },
      create: { occasionId: plan.occasionId, planId, externalId: r.externalId, name: r.name },
      update: { name: r.name },
      select: { id: true },
    });
    roomIds.set(r.externalId, row.id);
  }
  const unknownRoom = tables.find((t) => t.roomExternalId && !roomIds.has(t.roomExternalId));
  if (unknownRoom) {
    const known = await tx.seatingRoom.findMany({ where: { planId, externalId: { not: null } }, select: { id: true, externalId: true } });
    for (const k of known) roomIds.set(k.externalId!, k.id);
  }
  const seated = await tx.seatingAssignment.groupBy({ by: ['tableId'], where: { planId }, _count: true, _max: { seatNumber: true } });
  const byTable = new Map(seated.map((s) => [s.tableId, s]));
  const current = new Map(
    (
      await tx.seatingTable.findMany({
        where: { planId, externalId: { in: tables.map((t) => t.externalId) } },
        select: { id: true, externalId: true },
      })
    ).map((t) => [t.externalId!, t.id]),
  );
  for (const [i, t] of tables.entries()) {
    const roomId = t.roomExternalId ? roomIds.get(t.roomExternalId) : null;
    if (roomId === undefined)
      throw new ValidationError(`input.tables.${i}.roomExternalId: no such room.`, [
        { path: `input.tables.${i}.roomExternalId`, message: 'No room of the plan has this external id.' },
      ]);
    const data = {
      label: t.label,
      capacity: t.capacity,
      shape: t.shape ?? 'ROUND',
      roomId,
      x: t.x ?? null,
      y: t.y ?? null,
      rotation: t.rotation ?? null,
      seatLabels: t.seatLabels ?? [],
    };
    const id = current.get(t.externalId);
    const s = id ? byTable.get(id) : undefined;
    if (id && s && (s._count > t.capacity || (s._max.seatNumber ?? 0) > t.capacity))
      throw new TableFullError(
        `Table ${t.label} (${t.externalId}) has ${s._count} guests: it cannot become a table of ${t.capacity}.`,
        id,
        t.capacity,
        s._count,
      );
    if (id) await tx.seatingTable.update({ where: { id }, data });
    else await tx.seatingTable.create({ data: { ...data, occasionId: plan.occasionId, planId, externalId: t.externalId } });
  }
  await recordAudit(tx, caller, {
    action: 'seating:manage_layout',
    occasionId: plan.occasionId,
    target: { type: 'SeatingPlan', id: planId },
    after: { rooms: rooms.length, tables: tables.length },
  });
  return plan;
}
