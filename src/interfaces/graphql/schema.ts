import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';
import { SCOPE_LEVELS } from '../../kit/authorization.js';
import { builder } from '../../kit/builder.js';
import { auditRefusedMutations } from './mutation-audit.js';
import { RULE_DIRECTIVES } from '../../kit/rules.js';
import { moduleRegistry } from '../../modules/registry.js';
// The core's *.schema.ts, imported for their side effect of registering types on the builder;
// each module's come with its manifest (moduleRegistry below).
import '../../kit/common.schema.js';
import '../../domains/identity/identity.schema.js';
import '../../domains/occasions/occasions.schema.js';
import '../../domains/events/events.schema.js';
import '../../domains/actors/actors.schema.js';
import '../../domains/module-platform/module-platform.schema.js';
import '../../domains/permissions/permissions.schema.js';
import '../../domains/permissions/collaborators.schema.js';
import '../../domains/audit/audit.schema.js';
import '../../domains/guest-access/guest-access.schema.js';
import '../../domains/communications/communications.schema.js';
import '../../domains/communications/templates.schema.js';
import '../../domains/communications/log-csv.schema.js';
import '../../domains/communications/preferences.schema.js';
import '../../domains/communications/suppressions.schema.js';
import '../../domains/communications/reminders.schema.js';
import '../../domains/communications/threads.schema.js';
import '../../domains/communications/threads.counterpart.schema.js';
import '../../domains/communications/delivery-reports.schema.js';
import '../../capabilities/publishing/publishing.schema.js';
import '../../capabilities/publishing/print.schema.js';
import '../../capabilities/localization/localization.schema.js';
import '../../capabilities/localization/user-locale.schema.js';
import '../../capabilities/collaboration/tasks.schema.js';
import '../../domains/assets/assets.schema.js';
import '../../domains/assets/uploads.schema.js';
import '../../domains/assets/attachments.schema.js';
import '../integrations/apps.schema.js';
import '../integrations/apps-admin.schema.js';
import '../integrations/connections.schema.js';
import '../integrations/operations.schema.js';
import '../integrations/platform-grants.schema.js';
import '../webhooks/event-catalog.schema.js';
import '../webhooks/deliveries.schema.js';
import '../webhooks/endpoints.schema.js';
import '../webhooks/operator.schema.js';

const locations = [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.INTERFACE];
const AuthScope = new GraphQLEnumType({
  name: 'AuthScope',
  description: 'The scope a permission is checked at; a grant at an enclosing scope also covers it.',
  values: Object.fromEntries(SCOPE_LEVELS.map((s) => [s, { value: s }])),
});

/** The rule directives printed into schema.graphql (see rules.ts). */
export const ruleDirectives = [
  new GraphQLDirective({
    name: 'auth',
    description: 'Requires `action` on the target, checked at `scope` by the permission engine.',
    locations,
    args: {
      action: { type: new GraphQLNonNull(GraphQLString) },
      scope: { type: new GraphQLNonNull(AuthScope) },
      alsoChecks: {
        type: new GraphQLList(new GraphQLNonNull(GraphQLString)),
        description:
          'Further actions the resolver checks while it runs: another action it needs, `action` again on further targets, or one that only narrows what it returns (the field’s description says which).',
      },
      alsoReadableBy: {
        type: GraphQLString,
        description:
          'Who else may read it without `action`, as decided by its owner’s visibility rule (the type’s description says how); everyone else gets NOT_FOUND.',
      },
    },
  }),
  new GraphQLDirective({ name: 'public', description: 'Anyone may call this, signed in or not.', locations }),
  new GraphQLDirective({ name: 'authenticated', description: 'Any signed-in principal; results are limited to what it owns.', locations }),
  new GraphQLDirective({
    name: 'guest',
    description:
      'Only a guest with a valid invitation link or a printed invitation’s print code, limited to its invitation unit: its invited, allowed events and its RSVP.',
    locations,
  }),
  new GraphQLDirective({
    name: 'guestPortal',
    description:
      'Only a guest with a valid invitation link (not a printed invitation’s print code, which opens RSVP only), limited to its invitation unit.',
    locations,
  }),
  new GraphQLDirective({
    name: 'counterpart',
    description:
      'Only a signed-in user (no integration, no guest), limited to the conversations its own actor is the counterpart of (its own, or those of a vendor it is a member of) in occasions where it holds a live grant; needs no threads:* action. Anything else is NOT_FOUND.',
    locations,
  }),
  new GraphQLDirective({ name: 'self', description: 'Only the signed-in user, about themselves.', locations }),
  new GraphQLDirective({
    name: 'inherited',
    description: 'A wrapper (connection, edge, payload, error) reachable only through a guarded field; adds no rule of its own.',
    locations,
  }),
];

type Directives = Record<string, Record<string, unknown>>;
const isRule = (name: string) => (RULE_DIRECTIVES as readonly string[]).includes(name);

/**
 * Fields without a rule of their own are guarded by their type's rule (scope-auth
 * checks it once per object before any field resolves). Copy that rule onto
 * each such field's directives so schema.graphql shows every field's rule.
 */
function printInheritedRules(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRules = Object.entries((type.extensions?.directives ?? {}) as Directives).filter(([n]) => isRule(n));
    if (!typeRules.length) continue;
    for (const field of Object.values(type.getFields())) {
      const own = (field.extensions?.directives ?? {}) as Directives;
      if (Object.keys(own).some(isRule)) continue;
      (field as { extensions: object }).extensions = { ...field.extensions, directives: { ...own, ...Object.fromEntries(typeRules) } };
    }
  }
  return schema;
}

export function buildSchema(): GraphQLSchema {
  // The manifests' imports registered every module's types; this names the dependency.
  for (const m of moduleRegistry.list()) if (!m.schema.length) throw new Error(`Module ${m.key} lists no schema files`);
  return auditRefusedMutations(printInheritedRules(builder.toSchema({ directives: ruleDirectives, sortSchema: true })));
}
