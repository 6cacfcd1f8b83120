import { randomUUID } from 'node:crypto';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedInputType,
  type GraphQLObjectType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  isScalarType,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeGlobalID, encodeGlobalID } from '../../../src/kit/ids.js';
import { buildWorld, must, uniq, type World } from '../../support/factories.js';
import { errorCode, type GqlResult, startServer, testSchema } from '../../support/harness.js';
import { wsClient } from '../../support/live.js';
import { globalId } from '../../support/rows.js';
import { mustUpload, png } from '../../support/assets.js';

/**
 * Tenant isolation, generated from the schema: every root field that takes an
 * id is called by occasion A's owner with occasion B's ids. Each must answer
 * NOT_FOUND (never FORBIDDEN, which would confirm the row exists), return no
 * data of B and leave B's rows untouched. The same call with random ids in
 * B's places ("not there") must get a byte-identical answer to B's real ids
 * ("not yours"), and an anonymous caller gets the same UNAUTHENTICATED for
 * both, before any id is looked up. A new id-taking field is covered
 * without touching this file; an id whose type the schema does not declare
 * fails the suite until it is declared.
 */

const s = await startServer();
const schema = testSchema();

// ─── What the schema says ───────────────────────────────────────────────────

/**
 * Root fields this planner-side sweep does not probe. Guest-only fields (@guest)
 * refuse any planner outright (FORBIDDEN, before ids are read); a guest sending
 * another occasion's ids is covered in test/modules/rsvp/rsvp.int.test.ts.
 * Adding one here is a reviewed decision.
 */
const NOT_OCCASION_SCOPED = new Set<string>([
  'Mutation.submitRsvp',
  // A guest's conversations: a guest of another unit or occasion is covered in
  // test/domains/communications/threads.int.test.ts.
  'Query.guestThread',
  'Mutation.postGuestThreadMessage',
  'Mutation.markGuestThreadRead',
  // A guest's calendar feeds: another guest's feed or an event its link does not show is covered in
  // test/modules/timeline/calendar-feed.int.test.ts.
  'Mutation.createGuestCalendarFeed',
  'Mutation.revokeGuestCalendarFeed',
  // Platform-level integration records (operators only, integration:* at PLATFORM): every
  // non-operator is FORBIDDEN before any id is read, whichever id it sends, so there is no
  // tenant to leak. Covered in test/interfaces/integrations/integrations.int.test.ts.
  'Query.integration',
  'Mutation.configureIntegration',
  'Mutation.transitionIntegration',
  'Mutation.issueIntegrationCredential',
  'Mutation.revokeIntegrationCredential',
  'Mutation.setIntegrationSecret',
  'Mutation.connectPlatformIntegration',
  'Mutation.setIntegrationOperations',
  // Platform-scope grants of platform integrations: same operator-only rule. Covered in
  // test/interfaces/integrations/platform-grants.int.test.ts.
  'Mutation.grantPlatformAccess',
  'Mutation.revokePlatformAccess',
  // Webhook deliveries across occasions (operators only, integration:* at PLATFORM): refused
  // before any id is read. Covered in test/interfaces/webhooks/operator.int.test.ts.
  'Query.webhookDeliveries',
  'Mutation.redeliverWebhook',
  'Mutation.recoverWebhookDeliveries',
]);

/**
 * Id types that belong to no occasion: an enabled partner integration is connected to many
 * occasions by design, so its id is not "B's". Such slots get one integration both tenants
 * are connected to, and are never the probed "id of B".
 */
const PLATFORM_LEVEL_IDS = new Set(['IntegrationApp']);
let sharedIds: Record<string, string> = {};

/**
 * ID inputs declared with plain `t.id()` (no `for`), so the schema cannot say
 * which type they expect. Each gets the type used to probe it.
 */
const UNTYPED_IDS: Record<string, string> = {
  // Any global id of the occasion (audit targets of every type).
  'AuditLogFilter.targetId': 'Event',
  // The subject files are attached to: a global id of the type `subjectType` names (an occasion here).
  'AttachAssetInput.subjectId': 'Occasion',
  'DetachAssetInput.subjectId': 'Occasion',
  'ReorderAssetAttachmentsInput.subjectId': 'Occasion',
  // A translatable resource contributed by a module: a form (with resourceKey naming its question).
  'SetContentTranslationInput.resourceId': 'Form',
  'DeleteContentTranslationInput.resourceId': 'Form',
};

interface IdSlot {
  /** Variable path, e.g. ['input', 'scope', 'eventId']. */
  path: string[];
  typeName: string;
  required: boolean;
  /** Required within its own input object (which may itself be optional). */
  localRequired: boolean;
  list: boolean;
}

type Field = GraphQLField<unknown, unknown>;
type InputValue = GraphQLArgument | GraphQLInputField;

function unwrap(type: GraphQLInputType): { named: GraphQLNamedInputType; list: boolean; required: boolean } {
  const required = isNonNullType(type);
  const inner = required ? type.ofType : type;
  return { named: getNamedType(type), list: isListType(inner), required };
}

function idTypeOf(owner: string, f: InputValue): string {
  const declared = (f.extensions as { relayGlobalIDFor?: { typename: string }[] | null }).relayGlobalIDFor;
  if (declared?.length) return declared[0]!.typename;
  const untyped = UNTYPED_IDS[`${owner}.${f.name}`];
  if (untyped) return untyped;
  throw new Error(`${owner}.${f.name} is an ID without a declared type: use t.globalID({ for }) or list it in UNTYPED_IDS.`);
}

/** Every ID position reachable from a field's arguments, through nested input objects. */
function idSlots(owner: string, inputs: readonly InputValue[], prefix: string[] = [], parentRequired = true, seen = new Set<string>()): IdSlot[] {
  const out: IdSlot[] = [];
  for (const f of inputs) {
    const { named, list, required } = unwrap(f.type);
    const path = [...prefix, f.name];
    if (named.name === 'ID') out.push({ path, typeName: idTypeOf(owner, f), required: required && parentRequired, localRequired: required, list });
    else if (isInputObjectType(named) && !seen.has(named.name)) {
      out.push(...idSlots(named.name, Object.values(named.getFields()), path, required && parentRequired, new Set([...seen, named.name])));
    }
  }
  return out;
}

const roots = [schema.getQueryType()!, schema.getMutationType()!] as GraphQLObjectType[];
const idFields = roots.flatMap((root) =>
  Object.values(root.getFields())
    .map((field) => ({ root, field: field as Field, key: `${root.name}.${field.name}`, slots: idSlots(`${root.name}.${field.name}`, field.args) }))
    .filter((f) => f.slots.length > 0 && !NOT_OCCASION_SCOPED.has(f.key)),
);

// ─── Building calls ─────────────────────────────────────────────────────────

/** Plausible values for required non-id inputs, so a call fails on the id and not on anything else. */
function plausible(owner: string, name: string, type: GraphQLNamedInputType): unknown {
  // The name, as sent over the wire (an enum may map it to another internal value).
  if (isEnumType(type)) return type.getValues()[0]!.name;
  switch (type.name) {
    case 'Int':
      return 7;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    case 'DateTime':
      return '2027-06-01T17:00:00Z';
    case 'JSON':
      return {};
  }
  const byName: Record<string, string> = {
    email: `probe-${uniq()}@example.com`,
    moduleKey: 'rsvp',
    action: 'event:read',
    role: 'viewer',
    kind: owner === 'AddRelationshipInput' ? 'sibling' : 'PERSON',
    name: 'Probe',
    displayName: 'Probe',
    token: 'tovit_probe',
    refreshToken: 'tovrt_probe',
    url: 'https://probe.example.com/hook',
    eventTypes: 'event.updated',
    locale: 'he',
  };
  return byName[name] ?? 'probe';
}

/** Optional inputs a call needs anyway to get past validation (a grant needs a role or actions). */
const ALSO_FILL = new Set(['GrantAccessInput.role']);

/** The scope type that uses a given scope id, so a scope carrying that id is coherent. */
const SCOPE_FOR_ID: Record<string, string> = {
  eventId: 'EVENT',
  installationId: 'MODULE_INSTALLATION',
  enablementId: 'MODULE_ENABLEMENT',
  resourceId: 'RESOURCE',
};

type IdChoice = (slot: IdSlot) => string | undefined;

function buildValue(owner: string, f: InputValue, path: string[], slots: IdSlot[], choose: IdChoice): unknown {
  const { named, list, required } = unwrap(f.type);
  if (named.name === 'ID') {
    const slot = slots.find((x) => x.path.join('.') === path.join('.'))!;
    const id = choose(slot);
    return id === undefined ? undefined : list ? [id] : id;
  }
  if (isInputObjectType(named)) {
    const obj: Record<string, unknown> = {};
    for (const child of Object.values(named.getFields())) {
      const v = buildValue(named.name, child, [...path, child.name], slots, choose);
      if (v !== undefined) obj[child.name] = v;
    }
    if (named.name === 'GrantScopeInput') {
      const idKey = Object.keys(obj).find((k) => k in SCOPE_FOR_ID);
      obj.type = idKey ? SCOPE_FOR_ID[idKey] : 'OCCASION';
    }
    const hasId = slots.some((x) => x.path.slice(0, path.length).join('.') === path.join('.') && choose(x) !== undefined);
    if (!required && !hasId) return undefined;
    return list ? [obj] : obj;
  }
  if (!required && !ALSO_FILL.has(`${owner}.${f.name}`)) return undefined;
  const v = plausible(owner, f.name, named);
  return list ? [v] : v;
}

function selectionFor(field: Field): string {
  const t = getNamedType(field.type);
  if (isScalarType(t) || isEnumType(t)) return '';
  if (isAbstractType(t)) return '{ __typename ... on Error { code message } }';
  if (isObjectType(t) && 'id' in t.getFields()) return '{ __typename id }';
  return '{ __typename }';
}

function buildCall(root: GraphQLObjectType, field: Field, slots: IdSlot[], choose: IdChoice) {
  const variables: Record<string, unknown> = {};
  const defs: string[] = [];
  const args: string[] = [];
  for (const arg of field.args) {
    const v = buildValue(`${root.name}.${field.name}`, arg, [arg.name], slots, choose);
    if (v === undefined) continue;
    variables[arg.name] = v;
    defs.push(`$${arg.name}: ${String(arg.type)}`);
    args.push(`${arg.name}: $${arg.name}`);
  }
  const op = root.name === 'Query' ? 'query' : 'mutation';
  const query = `${op} Probe(${defs.join(', ')}) { ${field.name}(${args.join(', ')}) ${selectionFor(field)} }`;
  return { query, variables };
}

// ─── Two tenants ────────────────────────────────────────────────────────────

interface Tenant {
  world: World;
  name: string;
  /** A vendor contact, the counterpart of the tenant's thread: the caller @counterpart fields answer. */
  vendorToken: string;
  /** One global id per node type. */
  ids: Record<string, string>;
}

/** Seating on the tenant's first event: a plan with a room, a table and a constraint. */
async function seatingIds(world: World, t: string, m1: string, m2: string): Promise<Record<string, string>> {
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: world.occasionId, moduleKey: 'seating' },
  });
  await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
    i: { eventId: world.eventIds[0], moduleKey: 'seating' },
  });
  const plan = (
    await must(s, t, `mutation($i: CreateSeatingPlanInput!) { createSeatingPlan(input: $i) { ... on CreateSeatingPlanPayload { plan { id } } } }`, {
      i: { eventId: world.eventIds[0] },
    })
  ).createSeatingPlan.plan;
  const room = (
    await must(s, t, `mutation($i: CreateSeatingRoomInput!) { createSeatingRoom(input: $i) { ... on CreateSeatingRoomPayload { room { id } } } }`, {
      i: { planId: plan.id, name: 'Hall' },
    })
  ).createSeatingRoom.room;
  const table = (
    await must(
      s,
      t,
      `mutation($i: CreateSeatingTableInput!) { createSeatingTable(input: $i) { ... on CreateSeatingTablePayload { table { id } } } }`,
      {
        i: { planId: plan.id, label: 'T1', capacity: 8 },
      },
    )
  ).createSeatingTable.table;
  const constraint = (
    await must(
      s,
      t,
      `mutation($i: AddSeatingConstraintInput!) { addSeatingConstraint(input: $i) { ... on AddSeatingConstraintPayload { constraint { id } } } }`,
      {
        i: { planId: plan.id, kind: 'TOGETHER', guestAId: m1, guestBId: m2 },
      },
    )
  ).addSeatingConstraint.constraint;
  return { SeatingPlan: plan.id, SeatingRoom: room.id, SeatingTable: table.id, SeatingConstraint: constraint.id };
}

async function buildTenant(): Promise<Tenant> {
  const world = await buildWorld(s, { events: 2, households: [2], tags: ['family'], modules: { rsvp: [0] }, collaborators: { vendor: undefined } });
  const t = world.owner.token;
  const [m1, m2] = world.households[0]!.memberIds;
  await must(s, t, `mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename } }`, {
    i: { fromId: m1, toId: m2, kind: 'sibling' },
  });
  // Left pending, so revoking it would otherwise succeed.
  await must(s, t, `mutation($i: InviteCollaboratorInput!) { inviteCollaborator(input: $i) { __typename } }`, {
    i: { occasionId: world.occasionId, email: `helper-${uniq()}@example.com`, role: 'helper', displayName: 'Helper' },
  });
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: world.occasionId, moduleKey: 'forms' },
  });
  const form = (
    await must(s, t, `mutation($i: CreateFormInput!) { createForm(input: $i) { ... on FormPayload { form { id fields { id } } } } }`, {
      i: { occasionId: world.occasionId, title: 'Dinner', appliesTo: 'PERSON', fields: [{ key: 'meal', label: 'Meal', type: 'TEXT' }] },
    })
  ).createForm.form;
  // A translated question, so a probe that reached it through another tenant would have something to change.
  await must(s, t, `mutation($i: SetContentTranslationInput!) { setContentTranslation(input: $i) { __typename } }`, {
    i: { occasionId: world.occasionId, resourceId: form.id, resourceKey: 'meal', field: 'LABEL', locale: 'he', value: 'ארוחה' },
  });
  const seating = await seatingIds(world, t, m1!, m2!);
  const rsvp = (
    await must(
      s,
      t,
      `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { invitation { id } } } }`,
      {
        i: { occasionId: world.occasionId, unitId: world.households[0]!.id, eventIds: [world.eventIds[0]] },
      },
    )
  ).createRsvpInvitation.invitation;
  // The household's follow-up call, for the vendor contact (any actor of the occasion may be a helper).
  const task = (
    await must(
      s,
      t,
      `mutation($i: CreateRsvpFollowUpTasksInput!) { createRsvpFollowUpTasks(input: $i) { ... on CreateRsvpFollowUpTasksPayload { tasks { id } } } }`,
      { i: { eventId: world.eventIds[0], helperActorIds: [world.people.vendor!.actorId] } },
    )
  ).createRsvpFollowUpTasks.tasks[0];
  const r = await must(
    s,
    t,
    `query($id: ID!) { occasion(id: $id) {
      guestAccesses(first: 1) { edges { node { id } } }
      id name
      modules { id enablements { id } }
      grants(first: 5) { edges { node { id } } }
      collaboratorInvitations { id }
    }
    actor(id: "${world.households[0]!.id}") { id members { id } relationships { id } } }`,
    { id: world.occasionId },
  );
  const o = r.occasion;
  const connection = (
    await must(
      s,
      t,
      `mutation($i: ConnectIntegrationInput!) { connectIntegration(input: $i) { ... on IntegrationConnectionPayload { connection { id } } } }`,
      { i: { occasionId: world.occasionId, integrationId: sharedIds.IntegrationApp, eventIds: [world.eventIds[0]] } },
    )
  ).connectIntegration.connection;
  const thread = (
    await must(s, t, `mutation($i: StartThreadInput!) { startThread(input: $i) { ... on ThreadMessagePayload { thread { id } } } }`, {
      i: { occasionId: world.occasionId, counterpartId: world.people.vendor!.actorId, subject: 'Flowers', body: 'White roses?' },
    })
  ).startThread.thread;
  const reminder = (
    await must(
      s,
      t,
      `mutation($i: CreateMessageReminderInput!) { createMessageReminder(input: $i) { ... on MessageReminderPayload { reminder { id } } } }`,
      {
        i: { eventId: world.eventIds[0], daysBefore: [7] },
      },
    )
  ).createMessageReminder.reminder;
  const suppressed = (
    await must(
      s,
      t,
      `mutation($i: SuppressAddressInput!) { suppressAddress(input: $i) { ... on SuppressAddressPayload { suppressedAddress { id } } } }`,
      {
        i: { occasionId: world.occasionId, address: `bounced-${uniq()}@example.com` },
      },
    )
  ).suppressAddress.suppressedAddress;
  // A published invitation package, written as the render job would leave it (rendering is tested in publishing's own suite).
  const occasionRawId = decodeGlobalID(world.occasionId).id;
  const artifact = await s.app.db.prisma.artifact.create({
    data: { occasionId: occasionRawId, definitionKey: 'invitation_package', title: 'Invitations', inputs: { values: {}, printSpec: {} } },
  });
  const version = await s.app.db.prisma.artifactVersion.create({
    data: {
      artifactId: artifact.id,
      occasionId: occasionRawId,
      number: 1,
      status: 'PUBLISHED',
      inputs: {},
      draftRevision: 1,
      printSpec: { trimWidthMm: 148, trimHeightMm: 210, bleedMm: 3, cropMarks: true, slugMm: 8, colour: 'CMYK' },
      contentHash: 'f'.repeat(64),
      publishedAt: new Date(),
    },
  });
  await s.app.db.prisma.artifact.update({ where: { id: artifact.id }, data: { publishedVersionId: version.id } });
  // A file, attached as the occasion's logo (so detaching and deleting it would otherwise act on something).
  const asset = await mustUpload(s, t, world.occasionId, { bytes: await png(), filename: 'logo.png' });
  await must(s, t, `mutation($i: AttachAssetInput!) { attachAsset(input: $i) { __typename } }`, {
    i: { assetId: asset.id, subjectType: 'OCCASION', subjectId: world.occasionId, role: 'logo' },
  });
  // The timeline on the first event: an item, an operational window and the owner's calendar feed.
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: world.occasionId, moduleKey: 'timeline' },
  });
  await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
    i: { eventId: world.eventIds[0], moduleKey: 'timeline' },
  });
  const timelineItem = (
    await must(s, t, `mutation($i: CreateTimelineItemInput!) { createTimelineItem(input: $i) { ... on TimelineItemPayload { item { id } } } }`, {
      i: { eventId: world.eventIds[0], title: 'Ceremony', startsAt: '2027-06-10T16:00:00Z' },
    })
  ).createTimelineItem.item;
  const operationalWindow = (
    await must(
      s,
      t,
      `mutation($i: CreateOperationalWindowInput!) { createOperationalWindow(input: $i) { ... on OperationalWindowPayload { window { id } } } }`,
      {
        i: { eventId: world.eventIds[0], kind: 'VENUE_ACCESS', label: 'Access', startsAt: '2027-06-10T12:00:00Z', endsAt: '2027-06-11T02:00:00Z' },
      },
    )
  ).createOperationalWindow.window;
  const calendarFeed = (
    await must(
      s,
      t,
      `mutation($i: CreateCalendarFeedInput!) { createCalendarFeed(input: $i) { ... on CreateCalendarFeedPayload { feed { id } } } }`,
      {
        i: { occasionId: world.occasionId },
      },
    )
  ).createCalendarFeed.feed;
  const ids: Record<string, string> = {
    Occasion: world.occasionId,
    TimelineItem: timelineItem.id,
    OperationalWindow: operationalWindow.id,
    CalendarFeed: calendarFeed.id,
    Asset: asset.id,
    Artifact: encodeGlobalID('Artifact', artifact.id),
    ArtifactVersion: encodeGlobalID('ArtifactVersion', version.id),
    SuppressedAddress: suppressed.id,
    Thread: thread.id,
    MessageReminder: reminder.id,
    Event: world.eventIds[0]!,
    Actor: world.households[0]!.id,
    Tag: world.tagIds[0]!,
    Membership: r.actor.members[0].id,
    Relationship: (await must(s, t, `query { actor(id: "${m1}") { relationships { id } } }`)).actor.relationships[0].id,
    // RSVP's installation (the one enabled on an event): `modules` lists forms and RSVP in no set order.
    ModuleInstallation: o.modules.find((m: { enablements: unknown[] }) => m.enablements.length).id,
    ModuleEnablement: o.modules.find((m: { enablements: unknown[] }) => m.enablements.length).enablements[0].id,
    Grant: o.grants.edges[0].node.id,
    CollaboratorInvitation: o.collaboratorInvitations[0].id,
    RsvpInvitation: rsvp.id,
    Task: task.id,
    ...seating,
    GuestAccess: o.guestAccesses.edges[0].node.id,
    Form: form.id,
    FormField: form.fields[0].id,
    IntegrationConnection: connection.id,
    WebhookEndpoint: encodeGlobalID(
      'WebhookEndpoint',
      (
        await s.app.db.prisma.webhookEndpoint.create({
          data: {
            connectionId: decodeGlobalID(connection.id).id,
            integrationId: decodeGlobalID(sharedIds.IntegrationApp!).id,
            occasionId: decodeGlobalID(world.occasionId).id,
            url: 'https://tenant.example.com/hook',
            eventTypes: ['event.updated'],
            environment: 'DEVELOPMENT',
          },
        })
      ).id,
    ),
  };
  for (const [type, id] of Object.entries(ids)) expect(decodeGlobalID(id).typename, `${type} id`).toBe(type);
  return { world, name: o.name, ids, vendorToken: world.people.vendor!.token };
}

/** Every row of occasion B, so any write to it (insert, update or delete) shows up as a diff. */
async function snapshot(occasionGlobalId: string) {
  const occasionId = decodeGlobalID(occasionGlobalId).id;
  const p = s.app.db.prisma;
  const where = { occasionId };
  const byId = { orderBy: { id: 'asc' as const } };
  return {
    occasion: await p.occasion.findUnique({ where: { id: occasionId } }),
    events: await p.event.findMany({ where, ...byId }),
    actors: await p.actor.findMany({ where, ...byId }),
    memberships: await p.membership.findMany({ where, ...byId }),
    relationships: await p.relationship.findMany({ where, ...byId }),
    webhookEndpoints: await p.webhookEndpoint.findMany({ where, ...byId }),
    tags: await p.tag.findMany({ where, ...byId }),
    actorTags: await p.actorTag.findMany({ where: { tag: { occasionId } }, orderBy: [{ actorId: 'asc' }, { tagId: 'asc' }] }),
    invitations: await p.collaboratorInvitation.findMany({ where, ...byId }),
    installations: await p.moduleInstallation.findMany({ where, ...byId }),
    enablements: await p.moduleEnablement.findMany({ where, ...byId }),
    grants: await p.grant.findMany({ where, ...byId }),
    guestAccesses: await p.guestAccess.findMany({ where, ...byId }),
    rsvpInvitations: await p.rsvpInvitation.findMany({ where, ...byId }),
    rsvpResponses: await p.rsvpResponse.findMany({ where, ...byId }),
    forms: await p.form.findMany({ where, ...byId }),
    seatingPlans: await p.seatingPlan.findMany({ where, ...byId }),
    seatingRooms: await p.seatingRoom.findMany({ where, ...byId }),
    seatingTables: await p.seatingTable.findMany({ where, ...byId }),
    seatingAssignments: await p.seatingAssignment.findMany({ where, ...byId }),
    seatingConstraints: await p.seatingConstraint.findMany({ where, ...byId }),
    seatingVersions: await p.seatingPlanVersion.findMany({ where, ...byId }),
    formQuestions: await p.formQuestion.findMany({ where, ...byId }),
    formSubmissions: await p.formSubmission.findMany({ where, ...byId }),
    integrationConnections: await p.integrationConnection.findMany({ where, ...byId }),
    threads: await p.commThread.findMany({ where, ...byId }),
    threadMessages: await p.commThreadMessage.findMany({ where: { thread: { occasionId } }, ...byId }),
    threadReads: await p.commThreadRead.findMany({ where: { thread: { occasionId } }, orderBy: [{ threadId: 'asc' }, { readerId: 'asc' }] }),
    deliveries: await p.commDelivery.findMany({ where, ...byId }),
    sends: await p.commSend.findMany({ where, ...byId }),
    templates: await p.commTemplate.findMany({ where, ...byId }),
    reminders: await p.commReminder.findMany({ where, ...byId }),
    reminderRuns: await p.commReminderRun.findMany({ where: { reminder: { occasionId } }, ...byId }),
    suppressions: await p.commSuppression.findMany({ where, ...byId }),
    preferences: await p.commPreference.findMany({ where, ...byId }),
    mailbox: await p.mailboxMessage.findMany({ where, ...byId }),
    assets: await p.asset.findMany({ where, ...byId }),
    assetVariants: await p.assetVariant.findMany({ where: { asset: { occasionId } }, ...byId }),
    assetAttachments: await p.assetAttachment.findMany({ where, ...byId }),
    auditLog: await p.auditLog.count({ where }),
    outboxEvents: await p.outboxEvent.count({ where }),
    timelineStates: await p.timelineState.findMany({ where, orderBy: { eventId: 'asc' } }),
    timelineItems: await p.timelineItem.findMany({ where, ...byId }),
    operationalWindows: await p.operationalWindow.findMany({ where, ...byId }),
    calendarFeeds: await p.calendarFeed.findMany({ where, ...byId }),
    tasks: await p.task.findMany({ where, ...byId }),
    contentTranslations: await p.contentTranslation.findMany({ where, ...byId }),
  };
}

/** B's identifiers and name must never appear in what A gets back. */
function leakedFromB(r: GqlResult, b: Tenant): string[] {
  const body = JSON.stringify(r.body.data ?? null) + JSON.stringify((r.body.errors ?? []).map((e) => e.message));
  const needles = [b.name, ...Object.values(b.ids), ...Object.values(b.ids).map((id) => decodeGlobalID(id).id)];
  return needles.filter((n) => body.includes(n));
}

// ─── The sweep ──────────────────────────────────────────────────────────────

interface Case {
  name: string;
  fieldKey: string;
  root: GraphQLObjectType;
  field: Field;
  slots: IdSlot[];
  /** Which slots carry B's ids; the rest carry A's (required) or are left out (optional). */
  fromB: (slot: IdSlot) => boolean;
  mixed: boolean;
  /** Filtering A's own list by B's id may simply match nothing. */
  filterOnly: boolean;
}

const cases: Case[] = idFields.flatMap(({ root, field, key, slots }) => [
  { name: `${key} with only B's ids → NOT_FOUND`, fieldKey: key, root, field, slots, fromB: () => true, mixed: false, filterOnly: false },
  // With several ids, also A's own anchor plus one id of B: the check must not stop at the first id.
  ...(slots.length > 1
    ? slots
        .filter((p) => !PLATFORM_LEVEL_IDS.has(p.typeName))
        .map((p) => {
          const filterOnly = p.path.includes('filter');
          const name = `${key} with A's ids and B's ${p.path.join('.')} → ${filterOnly ? 'nothing of B' : 'NOT_FOUND'}`;
          return { name, fieldKey: key, root, field, slots, fromB: (x: IdSlot) => x === p, mixed: true, filterOnly };
        })
    : []),
]);

describe('cross-tenant isolation (generated from the schema)', () => {
  let a: Tenant;
  let b: Tenant;
  const exercised = new Set<string>();

  beforeAll(async () => {
    const integration = await s.app.db.prisma.integrationApp.create({
      data: { displayName: 'Shared partner', businessRole: 'PARTNER', environment: 'DEVELOPMENT', status: 'ENABLED', flags: ['INBOUND'] },
    });
    sharedIds = { IntegrationApp: globalId('IntegrationApp', integration.id) };
    a = await buildTenant();
    b = await buildTenant();
  }, 120_000);

  it('finds the id-taking root fields', () => {
    // A guard on the walker itself: if it stopped seeing ids, the sweep would pass vacuously.
    expect(idFields.length).toBeGreaterThanOrEqual(30);
    expect(idFields.map((f) => f.key)).toEqual(
      expect.arrayContaining(['Query.occasion', 'Mutation.deleteOccasion', 'Mutation.grantAccess', 'Mutation.revokeCollaboratorInvitation']),
    );
  });

  it("every generated query is well-formed: B's owner (or, for @counterpart fields, B's vendor contact) gets B's data with it", async () => {
    for (const c of cases.filter((x) => x.root.name === 'Query' && !x.mixed)) {
      const call = buildCall(c.root, c.field, c.slots, (slot) => b.ids[slot.typeName]);
      const asCounterpart = 'counterpart' in ((c.field.extensions as { directives?: object }).directives ?? {});
      const r = await s.gql(call.query, call.variables, { token: asCounterpart ? b.vendorToken : b.world.owner.token });
      expect(r.body.errors, `${c.name} as B's ${asCounterpart ? 'vendor contact' : 'owner'}`).toBeUndefined();
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const bSlots = c.slots.filter((x) => c.fromB(x));
    // An optional object carrying B's id still needs its own required ids: A's.
    const sharesObjectWithB = (slot: IdSlot) =>
      bSlots.some((x) => x.path.slice(0, slot.path.length - 1).join('.') === slot.path.slice(0, -1).join('.'));
    const choose: IdChoice = (slot) => {
      if (PLATFORM_LEVEL_IDS.has(slot.typeName)) return slot.required ? sharedIds[slot.typeName] : undefined;
      const tenant = c.fromB(slot) ? b : slot.required || (slot.localRequired && sharesObjectWithB(slot)) ? a : undefined;
      if (!tenant) return undefined;
      const id = tenant.ids[slot.typeName];
      if (!id) throw new Error(`No ${slot.typeName} in the test world for ${c.fieldKey} ${slot.path.join('.')}: add one to buildTenant().`);
      return id;
    };
    const call = buildCall(c.root, c.field, c.slots, choose);
    // The same call with ids that exist nowhere in B's places (one per type, so ids that must match still do).
    const nowhere: Record<string, string> = {};
    const chooseNowhere: IdChoice = (slot) => {
      const id = choose(slot);
      if (id === undefined || !c.fromB(slot) || PLATFORM_LEVEL_IDS.has(slot.typeName)) return id;
      return (nowhere[slot.typeName] ??= encodeGlobalID(slot.typeName, randomUUID()));
    };
    const unknown = buildCall(c.root, c.field, c.slots, chooseNowhere);
    const before = await snapshot(b.world.occasionId);

    const r = await s.gql(call.query, call.variables, { token: a.world.owner.token });
    const rUnknown = await s.gql(unknown.query, unknown.variables, { token: a.world.owner.token });
    const anonymous = await s.gql(call.query, call.variables);
    const anonymousUnknown = await s.gql(unknown.query, unknown.variables);

    const summary = `${call.query} ${JSON.stringify(call.variables)} → ${r.status} ${JSON.stringify(r.body)}`;
    expect(r.status, summary).toBeLessThan(500);
    expect(errorCode(r), summary).not.toBe('INTERNAL_SERVER_ERROR');
    expect(errorCode(r), summary).not.toBe('FORBIDDEN');
    expect(leakedFromB(r, b), summary).toEqual([]);
    if (c.filterOnly) {
      expect([undefined, 'NOT_FOUND'], summary).toContain(errorCode(r));
    } else {
      expect(errorCode(r), summary).toBe('NOT_FOUND');
      expect(r.body.data?.[c.field.name] ?? null, summary).toBeNull();
    }
    // "Not yours" and "not there" are indistinguishable: same status, same errors (message, code, path), same data.
    expect({ status: rUnknown.status, body: rUnknown.body }, `random ids instead of B's: ${summary}`).toEqual({ status: r.status, body: r.body });
    // Anonymous: refused before any lookup, whichever ids it sends.
    expect(errorCode(anonymous), `anonymous: ${JSON.stringify(anonymous.body)}`).toBe('UNAUTHENTICATED');
    expect({ status: anonymousUnknown.status, body: anonymousUnknown.body }).toEqual({ status: anonymous.status, body: anonymous.body });
    expect(await snapshot(b.world.occasionId), `B's rows after ${summary}`).toEqual(before);
    exercised.add(c.fieldKey);
  });

  it("subscriptions: B's ids and ids that exist nowhere get the same refusal; anonymous callers UNAUTHENTICATED for both", async () => {
    const subscriptionFields = Object.values(schema.getSubscriptionType()!.getFields()).filter((f) => idSlots(f.name, f.args).length);
    expect(subscriptionFields.map((f) => f.name).sort()).toEqual(['rsvpOccasionSummaryChanged', 'rsvpSummaryChanged']);
    const first = async (token: string | undefined, field: (typeof subscriptionFields)[number], id: string) => {
      const ws = wsClient(s.url, token);
      try {
        const [arg] = field.args;
        const sub = ws.subscribe(`subscription($id: ID!) { ${field.name}(${arg!.name}: $id) { __typename } }`, { id });
        const { at: _at, ...message } = await sub.next(1);
        return message;
      } finally {
        await ws.dispose();
      }
    };
    for (const field of subscriptionFields) {
      const type = idSlots(field.name, field.args)[0]!.typeName;
      const real = b.ids[type]!;
      const nowhere = encodeGlobalID(type, randomUUID());
      const asA = await first(a.world.owner.token, field, real);
      expect(asA.errors?.[0]?.extensions?.code, field.name).toBe('NOT_FOUND');
      expect(await first(a.world.owner.token, field, nowhere), field.name).toEqual(asA);
      const anonymous = await first(undefined, field, real);
      expect(anonymous.errors?.[0]?.extensions?.code, field.name).toBe('UNAUTHENTICATED');
      expect(await first(undefined, field, nowhere), field.name).toEqual(anonymous);
    }
  });

  it('exercised every id-taking root field', () => {
    const missed = idFields.map((f) => f.key).filter((k) => !exercised.has(k));
    expect(missed, 'id-taking root fields not probed across tenants').toEqual([]);
  });
});
