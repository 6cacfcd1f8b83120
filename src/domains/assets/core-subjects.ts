import { defineAssetSubject } from './asset-subjects.js';

/*
 * The subjects of the core: an occasion's branding and an event's cover. Their
 * visibility hooks follow what the subject itself shows: whoever may read the
 * occasion sees its logo and cover where the occasion is shown, whoever may
 * read an event (a vendor scoped to it included; a private event's cover stays
 * with those who may see that event) sees its cover. Guests hold no grants:
 * they see files the planners made visible to guests (visibility GUESTS).
 */

export const CORE_ASSET_SUBJECTS = [
  defineAssetSubject({
    type: 'Occasion',
    what: 'Occasion',
    occasionOf: async (db, id) => (await db.occasion.findUnique({ where: { id }, select: { id: true } }))?.id ?? null,
    attachAction: 'occasion:update',
    roles: ['logo', 'cover', 'gallery'],
    canRead: (ctx, subject) => ctx.authz.can('occasion:read', { occasionId: subject.occasionId }),
  }),
  defineAssetSubject({
    type: 'Event',
    what: 'Event',
    occasionOf: async (db, id) => (await db.event.findUnique({ where: { id }, select: { occasionId: true } }))?.occasionId ?? null,
    attachAction: 'event:update',
    target: async (db, id) => {
      const e = await db.event.findUnique({ where: { id }, select: { occasionId: true } });
      return e ? { occasionId: e.occasionId, eventId: id } : null;
    },
    roles: ['cover', 'gallery'],
    canRead: (ctx, subject) => ctx.authz.can('event:read', { occasionId: subject.occasionId, eventId: subject.id }),
  }),
];
