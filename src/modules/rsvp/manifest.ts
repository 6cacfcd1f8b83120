import { z } from 'zod';
import { defineModule } from '../../domains/module-platform/manifest.js';
import { parseGlobalIdFor } from '../../kit/ids.js';
import { ValidationError } from '../../platform/errors.js';
import { openForm } from '../forms/forms.answers.js';
import { RSVP_BUSINESS_EVENTS } from './rsvp.business-events.js';
import { RSVP_REACTIONS } from './rsvp.reactions.js';
import { publishRsvpSummaries } from './live/rsvp.live.js';
import { RSVP_TARGETS } from './rsvp.targets.js';
import { replyCardScanned } from './rsvp.inbound.js';
import { rsvpReminderSource } from './communications/rsvp-reminders.js';
import { invitationPackage } from './print/invitation-package.js';
import * as rsvpSettings from './rsvp.settings.schema.js';
import * as rsvpInvitations from './invitations/rsvp.invitations.schema.js';
import * as rsvpBulkInvitations from './invitations/rsvp.bulk-invitations.schema.js';
import * as rsvpResponses from './responses/rsvp.responses.schema.js';
import * as rsvpOverrides from './responses/rsvp.overrides.schema.js';
import * as rsvpGuest from './guest/rsvp.guest.schema.js';
import * as rsvpGuestLocale from './guest/rsvp.guest-locale.schema.js';
import { guestLocalePreference } from './guest/rsvp.guest-locale.js';
import * as rsvpSummaries from './live/rsvp.summary.schema.js';
import * as rsvpSubscriptions from './live/rsvp.subscriptions.schema.js';
import * as rsvpCatering from './catering/rsvp.catering.schema.js';
import * as guestListImport from './import/guest-list.schema.js';
import * as responsesCsv from './export/responses-csv.schema.js';
import * as rsvpMessages from './communications/rsvp-messages.schema.js';
import * as rsvpMessageStatus from './communications/rsvp-message-status.schema.js';
import * as announcements from './communications/announcements.schema.js';
import * as rsvpFollowUp from './follow-up/rsvp-follow-up.schema.js';
import { RSVP_FOLLOW_UP } from './follow-up/rsvp-follow-up.task-kind.js';
import { guestPageRoute } from './guest-page/guest-page.route.js';
import { printCodeRoute } from './guest-page/print-code.route.js';

/** A form id as the API hands it out (a Form global id) or as stored (the raw uuid). */
const formId = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  return parseGlobalIdFor('Form', v) ?? v;
}, z.uuid());

/**
 * RSVP: the attendance layer. Installed per occasion, enabled per event:
 * invitations per unit, responses per event, live summaries. It may use the
 * forms module (a linked form per event) when that is installed; it does not
 * depend on it.
 */
export const rsvpManifest = defineModule({
  key: 'rsvp',
  version: '1.0.0',
  name: 'RSVP',
  description: 'Invitations per event and guest responses for people, households and groups.',
  dependsOn: [],
  uses: ['forms'],
  actions: {
    'rsvp:view': 'See RSVP responses and summaries (planner side).',
    'rsvp:manage': 'Create and edit RSVP invitations.',
    'rsvp:override': 'Correct a guest’s response as a planner.',
    'rsvp:read_catering': 'See an event’s catering summary: plate and meal/dietary counts, never names (caterers).',
  },
  roles: {
    // actor:read: a response names its household and who attends; forms:*: responses carry the linked-form answers given with them.
    rsvp_viewer: {
      description: 'Sees RSVP responses and summaries.',
      actions: ['occasion:read', 'event:read', 'actor:read', 'rsvp:view', 'forms:view', 'forms:read_answers'],
    },
    rsvp_manager: {
      description: 'Manages RSVP invitations and guest links, and corrects responses.',
      actions: [
        'occasion:read',
        'event:read',
        'actor:read',
        'rsvp:view',
        'rsvp:manage',
        'rsvp:override',
        'forms:view',
        'forms:read_answers',
        'guest:read',
        'guest:invite',
      ],
    },
  },
  config: z
    .object({
      /** Default plus-ones allowed per invitation unit. */
      defaultPlusOnes: z.number().int().min(0).max(10).default(0),
      /** Whether guests may add a note with their response. */
      allowGuestNotes: z.boolean().default(true),
    })
    .strict(),
  eventConfig: z
    .object({
      /** After this instant guests can no longer change their answer. */
      deadline: z.iso.datetime({ offset: true }).optional(),
      /** A forms-module form whose questions guests answer inline for this event. */
      linkedFormId: formId.optional(),
    })
    .strict(),
  async checkEventConfig(tx, { occasionId }, config) {
    if (typeof config.linkedFormId !== 'string') return;
    // Missing, archived and another occasion's form get the same answer: nothing leaks across occasions.
    if (!(await openForm(tx, occasionId, config.linkedFormId)))
      throw new ValidationError('input.config.linkedFormId: no open form with this id in this occasion.', [
        { path: 'input.config.linkedFormId', message: 'No open form with this id in this occasion.' },
      ]);
  },
  businessEvents: RSVP_BUSINESS_EVENTS,
  reactions: RSVP_REACTIONS,
  schema: [
    rsvpSettings,
    rsvpInvitations,
    rsvpBulkInvitations,
    rsvpResponses,
    rsvpOverrides,
    rsvpGuest,
    rsvpGuestLocale,
    rsvpSummaries,
    rsvpSubscriptions,
    rsvpCatering,
    guestListImport,
    responsesCsv,
    rsvpMessages,
    rsvpMessageStatus,
    announcements,
    rsvpFollowUp,
  ],
  live: [publishRsvpSummaries],
  targets: RSVP_TARGETS,
  inbound: [replyCardScanned],
  reminderSource: rsvpReminderSource,
  artifacts: [invitationPackage],
  taskKinds: [RSVP_FOLLOW_UP],
  // The guest link's page and the printed code's; mounted by the api's server under these paths (kit/http-route.ts).
  routes: [guestPageRoute, printCodeRoute],
  // A guest's language, kept on the invitation's primary person (Localization reads it before Accept-Language).
  guestLocale: (db, guest) => guestLocalePreference(db, guest.occasionId, guest.unitActorId),
});
