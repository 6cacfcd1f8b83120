import type { Prisma, Tx } from '../../../platform/db/client.js';

/** Relationship kind from an invitation unit to a plus-one the guest named. */
export const PLUS_ONE_RELATIONSHIP = 'plus_one';

export interface UnitPerson {
  id: string;
  displayName: string;
  /** SELF for a person invited alone; otherwise their membership role in the unit. */
  role: 'SELF' | 'HEAD' | 'MEMBER' | 'CHILD' | 'PLUS_ONE';
  /** Named by the guest into one of the invitation's plus-one slots. */
  guestPlusOne: boolean;
  /** Counted as coming when an attending answer does not list people. */
  defaultAttendee: boolean;
}

const personSelect = { id: true, kind: true, displayName: true } as const;

/**
 * An RSVP invitation with the people it answers for, by response scope: a
 * person alone answers for themselves; a household's or group's controller for
 * its people (a group's households contribute their members). Plus-ones the
 * guest named are always included. One statement.
 */
export async function loadUnitPeople(db: Prisma | Tx, where: { id: string } | { invitationUnitActorId: string; occasionId: string }) {
  const inv = await db.rsvpInvitation.findFirst({
    where,
    include: {
      primaryActor: { select: personSelect },
      invitationUnit: {
        select: {
          ...personSelect,
          members: {
            orderBy: [{ role: 'asc' }, { createdAt: 'asc' }],
            select: {
              role: true,
              member: {
                select: {
                  ...personSelect,
                  members: { orderBy: [{ role: 'asc' }, { createdAt: 'asc' }], select: { role: true, member: { select: personSelect } } },
                },
              },
            },
          },
          relationsFrom: { where: { kind: PLUS_ONE_RELATIONSHIP }, orderBy: { createdAt: 'asc' }, select: { to: { select: personSelect } } },
        },
      },
    },
  });
  if (!inv) return null;
  const people: UnitPerson[] = [];
  const add = (p: UnitPerson) => {
    if (!people.some((x) => x.id === p.id)) people.push(p);
  };
  if (inv.responseScope === 'ACTOR') {
    add({ id: inv.primaryActor.id, displayName: inv.primaryActor.displayName, role: 'SELF', guestPlusOne: false, defaultAttendee: true });
  } else {
    for (const m of inv.invitationUnit.members) {
      if (m.member.kind === 'PERSON') {
        add({ id: m.member.id, displayName: m.member.displayName, role: m.role, guestPlusOne: false, defaultAttendee: true });
      } else if (m.member.kind === 'HOUSEHOLD') {
        for (const hm of m.member.members) {
          if (hm.member.kind === 'PERSON')
            add({ id: hm.member.id, displayName: hm.member.displayName, role: hm.role, guestPlusOne: false, defaultAttendee: true });
        }
      }
    }
  }
  for (const r of inv.invitationUnit.relationsFrom) {
    add({ id: r.to.id, displayName: r.to.displayName, role: 'PLUS_ONE', guestPlusOne: true, defaultAttendee: false });
  }
  return { ...inv, people };
}

export type InvitationWithPeople = NonNullable<Awaited<ReturnType<typeof loadUnitPeople>>>;
