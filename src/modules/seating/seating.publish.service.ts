import { createArtifact, renderArtifact, updateArtifactDraft } from '../../capabilities/publishing/artifacts.service.js';
import type { AppServices } from '../../kit/context.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { actorIdOf, type Caller } from '../../platform/principal.js';
import { seatingPlanPublished } from './seating.business-events.js';
import { EmptySeatingPlanError } from './seating.errors.js';
import { lockPlan } from './seating.plan.service.js';

/** A published plan as frozen in SeatingPlanVersion.snapshot: what it was at that revision, names included (read with seating:view only). */
export interface SeatingSnapshot {
  rooms: { id: string; name: string; externalId: string | null }[];
  tables: {
    id: string;
    roomId: string | null;
    label: string;
    shape: string;
    capacity: number;
    x: number | null;
    y: number | null;
    rotation: number | null;
    seatLabels: string[];
    externalId: string | null;
    guests: { actorId: string; name: string; seatNumber: number | null }[];
  }[];
}

/**
 * Freezes the plan as a new version (immutable: nothing ever updates a
 * version row) and records seating_plan.published naming its event, so a
 * venue granted that event hears of it. A plan with no tables or nobody
 * seated is refused.
 */
export async function publishSeatingPlan(tx: Tx, caller: Caller, app: AppServices, planId: string, expectedRevision?: number | null) {
  const plan = await lockPlan(tx, planId, expectedRevision);
  const [rooms, tables] = await Promise.all([
    tx.seatingRoom.findMany({ where: { planId }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
    tx.seatingTable.findMany({
      where: { planId },
      orderBy: [{ label: 'asc' }, { id: 'asc' }],
      include: { assignments: { include: { actor: { select: { displayName: true } } }, orderBy: [{ seatNumber: 'asc' }, { actorId: 'asc' }] } },
    }),
  ]);
  const seated = tables.reduce((n, t) => n + t.assignments.length, 0);
  if (!tables.length || !seated)
    throw new EmptySeatingPlanError(
      tables.length
        ? 'Nobody is seated yet: seat guests before publishing.'
        : 'The plan has no tables: add tables and seat guests before publishing.',
    );
  const snapshot: SeatingSnapshot = {
    rooms: rooms.map((r) => ({ id: r.id, name: r.name, externalId: r.externalId })),
    tables: tables.map((t) => ({
      id: t.id,
      roomId: t.roomId,
      label: t.label,
      shape: t.shape,
      capacity: t.capacity,
      x: t.x,
      y: t.y,
      rotation: t.rotation,
      seatLabels: t.seatLabels,
      externalId: t.externalId,
      guests: t.assignments.map((a) => ({ actorId: a.actorId, name: a.actor.displayName, seatNumber: a.seatNumber })),
    })),
  };
  const last = await tx.seatingPlanVersion.aggregate({ where: { planId }, _max: { number: true } });
  const version = await tx.seatingPlanVersion.create({
    data: {
      occasionId: plan.occasionId,
      planId,
      eventId: plan.eventId,
      number: (last._max.number ?? 0) + 1,
      revision: plan.revision,
      snapshot: { ...snapshot },
      publishedByActorId: await actorIdOf(tx, caller.principal, plan.occasionId),
    },
  });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: plan.occasionId,
    target: { type: 'SeatingPlanVersion', id: version.id },
    after: { planId, number: version.number, revision: version.revision, tables: tables.length, seated },
  });
  await recordBusinessEvent(
    tx,
    caller,
    seatingPlanPublished,
    { occasionId: plan.occasionId, eventId: plan.eventId, planId, versionId: version.id, number: version.number, tables: tables.length, seated },
    { occasionId: plan.occasionId, eventId: plan.eventId },
  );
  await renderPrintables(tx, caller, app, plan.occasionId, plan.eventId, version.number);
  return version;
}

/** Print outputs of the plan, rendered from each published version (the planner publishes them to the printer). */
const PRINTABLES = [
  { key: 'seating_chart', title: 'Seating chart' },
  { key: 'escort_cards', title: 'Escort cards' },
] as const;

/**
 * The event's seating chart and escort cards, drafted for this version and
 * rendered by Publishing's job after commit: one artifact of each per event,
 * reused by every later publication (its versions are the history).
 */
async function renderPrintables(tx: Tx, caller: Caller, app: AppServices, occasionId: string, eventId: string, seatingVersion: number) {
  const event = await tx.event.findUniqueOrThrow({ where: { id: eventId }, select: { name: true } });
  for (const p of PRINTABLES) {
    const inputs = { eventId, seatingVersion };
    const existing = await tx.artifact.findFirst({
      where: { occasionId, definitionKey: p.key, archivedAt: null, inputs: { path: ['values', 'eventId'], equals: eventId } },
      select: { id: true },
    });
    const artifactId = existing
      ? (await updateArtifactDraft(tx, caller, app, existing.id, { inputs })).id
      : (await createArtifact(tx, caller, app, occasionId, { definitionKey: p.key, title: `${p.title} – ${event.name}`, inputs })).id;
    await renderArtifact(tx, caller, app, artifactId);
  }
}
