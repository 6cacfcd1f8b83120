import { z } from 'zod';
import type { AppServices } from '../../../kit/context.js';
import { parseGlobalIdFor } from '../../../kit/ids.js';
import { printCodesFor, printedCode } from '../../../domains/guest-access/print-codes.js';
import { formatDateTime } from '../../../domains/communications/format.js';
import { resolveAppKey } from '../../../platform/app-key.js';
import { notFound } from '../../../platform/errors.js';
import type { Caller } from '../../../platform/principal.js';
import type { InvitationPackageData } from './invitation-package.render.js';

/*
 * What the invitation package prints, read from RSVP's data in a fixed
 * number of statements whatever the number of households: each invitation
 * unit with its people, the events it is invited to (times in the occasion's
 * zone, in the package's language), the occasion's branding, and a print
 * code per unit for its QR (never the unit's guest link).
 */

/** An id as the API hands it out (a global id of `type`) or as stored (the raw uuid). */
const idOf = (type: string) => z.preprocess((v) => (typeof v === 'string' ? (parseGlobalIdFor(type, v) ?? v) : v), z.uuid());

export const invitationPackageInputs = z
  .object({
    /** Only these events are printed (and only units invited to one of them). Default: every event of each invitation. */
    eventIds: z.array(idOf('Event')).max(50).optional(),
    /** Only these invitations (a reprint for some households). Default: every invitation. */
    invitationIds: z.array(idOf('RsvpInvitation')).max(20_000).optional(),
    /** Names as the planner wants them printed, by invitation unit (actor) id. Default: the unit's display name. */
    printedNames: z
      .record(z.string(), z.string().trim().min(1).max(200))
      .transform((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [parseGlobalIdFor('Actor', k) ?? k, v])))
      .optional(),
    /** The language of the printed labels and dates. Default: the occasion's default locale. */
    locale: z.enum(['en', 'he']).optional(),
    /** The accent colour (#RRGGBB). Default: the occasion's branding `primaryColor`, else a deep green. */
    accentColour: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'A colour as #RRGGBB.')
      .optional(),
  })
  .strict();
export type InvitationPackageInputs = z.output<typeof invitationPackageInputs>;

const LABELS = {
  en: { invited: 'You are warmly invited to', rsvp: 'Kindly reply', scanToReply: 'Scan to reply, or enter the code' },
  he: { invited: 'הנכם מוזמנים בשמחה ל', rsvp: 'נא לאשר הגעה', scanToReply: 'סרקו לאישור הגעה, או הקלידו את הקוד' },
} as const;
const RTL = new Set(['he', 'ar']);

type PackageImage = NonNullable<InvitationPackageData['occasion']['coverImage']>;

const FORMATS: Record<string, PackageImage['format']> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** The occasion's branding image in `role` (an asset attached to the occasion), if it has one the printer can use. */
async function brandingImage(app: AppServices, occasionId: string, role: string): Promise<PackageImage | null> {
  const a = await app.db.prisma.assetAttachment.findFirst({
    where: { occasionId, subjectType: 'Occasion', subjectId: occasionId, role, asset: { status: 'READY' } },
    orderBy: { position: 'asc' },
    select: { asset: { select: { storageKey: true, contentType: true } } },
  });
  const format = a && FORMATS[a.asset.contentType ?? ''];
  if (!a || !format) return null;
  const bytes = await app.storage.get(a.asset.storageKey);
  return bytes ? { bytes, format } : null;
}

export async function loadInvitationPackage(
  app: AppServices,
  caller: Caller,
  occasionId: string,
  inputs: InvitationPackageInputs,
): Promise<InvitationPackageData> {
  const prisma = app.db.prisma;
  const occasion = await prisma.occasion.findUnique({
    where: { id: occasionId },
    select: { name: true, timezone: true, defaultLocale: true, branding: true },
  });
  if (!occasion) throw notFound('Occasion');
  const locale = inputs.locale ?? (occasion.defaultLocale.startsWith('he') ? 'he' : 'en');
  const only = inputs.eventIds?.length ? new Set(inputs.eventIds) : null;
  const invitations = await prisma.rsvpInvitation.findMany({
    where: {
      occasionId,
      ...(inputs.invitationIds ? { id: { in: inputs.invitationIds } } : {}),
      ...(only ? { invitedEventIds: { hasSome: [...only] } } : {}),
    },
    select: {
      invitedEventIds: true,
      invitationUnit: {
        select: {
          id: true,
          kind: true,
          displayName: true,
          members: { orderBy: [{ role: 'asc' }, { createdAt: 'asc' }], select: { member: { select: { displayName: true } } } },
        },
      },
    },
  });
  // Households in the order a printer would file them: by printed name.
  const printedName = (u: { id: string; displayName: string }) => inputs.printedNames?.[u.id] ?? u.displayName;
  invitations.sort(
    (a, b) =>
      printedName(a.invitationUnit).localeCompare(printedName(b.invitationUnit), locale) || a.invitationUnit.id.localeCompare(b.invitationUnit.id),
  );
  const eventIds = [...new Set(invitations.flatMap((i) => i.invitedEventIds))].filter((id) => !only || only.has(id));
  const events = await prisma.event.findMany({
    where: { id: { in: eventIds }, occasionId },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, startsAt: true, location: true },
  });
  const codes = await prisma.$transaction((tx) =>
    printCodesFor(
      tx,
      caller,
      occasionId,
      invitations.map((i) => i.invitationUnit.id),
      resolveAppKey(app.config),
    ),
  );
  const base = app.config.publicUrl.replace(/\/+$/, '');
  const [coverImage, logo] = await Promise.all([brandingImage(app, occasionId, 'cover'), brandingImage(app, occasionId, 'logo')]);
  const branding = occasion.branding as { primaryColor?: unknown };
  const brandColour =
    typeof branding.primaryColor === 'string' && /^#[0-9a-fA-F]{6}$/.test(branding.primaryColor) ? branding.primaryColor : undefined;
  return {
    occasion: {
      name: occasion.name,
      locale,
      direction: RTL.has(locale) ? 'rtl' : 'ltr',
      accentColour: inputs.accentColour ?? brandColour ?? '#1F4D3A',
      coverImage,
      logo,
    },
    households: invitations.map((i) => {
      const unit = i.invitationUnit;
      const code = codes.get(unit.id)!;
      const invited = new Set(i.invitedEventIds);
      const people = unit.kind === 'PERSON' ? [unit.displayName] : unit.members.map((m) => m.member.displayName);
      return {
        printedName: printedName(unit),
        people,
        events: events
          .filter((e) => invited.has(e.id))
          .map((e) => ({ name: e.name, when: e.startsAt ? formatDateTime(e.startsAt, locale, occasion.timezone) : '', location: e.location })),
        rsvpUrl: `${base}/r/${code}`,
        rsvpCode: printedCode(code),
      };
    }),
    texts: LABELS[locale],
  };
}
