import { builder } from '../../kit/builder.js';
import { deletedPayload, payload } from '../../kit/payload.js';
import { authenticatedField, canField, canType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, ModuleDependencyError, ValidationError } from '../../platform/errors.js';
import { EventType } from '../events/events.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import type { ModuleManifest } from './manifest.js';
import { configureModule, disableModule, enableModule, installModule, uninstallModule } from './module-platform.service.js';

const NamedAction = builder.objectRef<{ name: string; description: string }>('ActionInfo').implement({
  ...inheritedType,
  fields: (t) => ({ name: t.exposeString('name', inheritedType), description: t.exposeString('description', inheritedType) }),
});
export const RoleInfo = builder.objectRef<{ name: string; description: string; actions: string[] }>('RoleInfo').implement({
  ...inheritedType,
  fields: (t) => ({
    name: t.exposeString('name', inheritedType),
    description: t.exposeString('description', inheritedType),
    actions: t.exposeStringList('actions', inheritedType),
  }),
});

export const ModuleType = builder.objectRef<ModuleManifest>('Module').implement({
  ...inheritedType,
  description: 'A module this server ships (its manifest).',
  fields: (t) => ({
    key: t.exposeString('key', inheritedType),
    name: t.exposeString('name', inheritedType),
    description: t.exposeString('description', inheritedType),
    version: t.exposeString('version', inheritedType),
    dependsOn: t.exposeStringList('dependsOn', inheritedType),
    actions: t.field({
      type: [NamedAction],
      ...inheritedType,
      resolve: (m) => Object.entries(m.actions).map(([name, description]) => ({ name, description })),
    }),
    roles: t.field({
      type: [RoleInfo],
      ...inheritedType,
      resolve: (m, _a, ctx) =>
        Object.entries(m.roles).map(([name, r]) => ({ name, description: r.description, actions: [...(ctx.app.actions.roleActions(name) ?? [])] })),
    }),
  }),
});

export const ModuleInstallationType = builder.prismaNode('ModuleInstallation', {
  id: { field: 'id' },
  ...canType('module:read', 'MODULE_INSTALLATION', (i: { id: string; occasionId: string }) => ({ occasionId: i.occasionId, installationId: i.id })),
  description: 'A module installed on an occasion, with its occasion-level configuration.',
  fields: (t) => ({
    moduleKey: t.exposeString('moduleKey'),
    version: t.exposeString('version'),
    config: t.expose('config', { type: 'JSON' }),
    installedAt: t.expose('installedAt', { type: 'DateTime' }),
    module: t.field({ type: ModuleType, nullable: true, resolve: (i, _a, ctx) => ctx.app.moduleRegistry.get(i.moduleKey) ?? null }),
    // Joined into the installation's query; private events the caller is not granted at are dropped, not refused item by item.
    enablements: t.field({
      type: [ModuleEnablementType],
      description: 'Events the module is enabled on (that the caller may see).',
      select: (_args, _ctx, nestedSelection) => ({ enablements: nestedSelection(true) }),
      resolve: (i, _a, ctx) => ctx.authz.withoutHiddenEvents(i.occasionId, i.enablements),
    }),
  }),
});

export const ModuleEnablementType = builder.prismaNode('ModuleEnablement', {
  id: { field: 'id' },
  ...canType('module:read', 'MODULE_ENABLEMENT', (e: { id: string; occasionId: string; installationId: string; eventId: string }) => ({
    occasionId: e.occasionId,
    installationId: e.installationId,
    eventId: e.eventId,
    enablementId: e.id,
  })),
  description: 'A module enabled on one event, with its event-level configuration.',
  fields: (t) => ({
    config: t.expose('config', { type: 'JSON' }),
    enabledAt: t.expose('enabledAt', { type: 'DateTime' }),
    event: t.relation('event'),
    installation: t.relation('installation'),
  }),
});

builder.queryField('availableModules', (t) =>
  t.field({
    type: [ModuleType],
    ...authenticatedField,
    description: 'Modules that can be installed.',
    resolve: (_r, _a, ctx) => ctx.app.moduleRegistry.list(),
  }),
);

builder.prismaObjectField(OccasionType, 'modules', (t) =>
  t.relation('moduleInstallations', {
    ...canField('module:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'Installed modules.',
  }),
);
builder.prismaObjectField(EventType, 'modules', (t) =>
  t.relation('enablements', {
    ...canField('module:read', 'EVENT', (e: { id: string; occasionId: string }) => ({ occasionId: e.occasionId, eventId: e.id })),
    description: 'Modules enabled on this event.',
  }),
);

const InstallModuleInput = builder.inputType('InstallModuleInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    moduleKey: t.string({ required: true }),
    config: t.field({ type: 'JSON', description: 'Validated against the module’s config schema; defaults fill the rest.' }),
  }),
});
const ConfigureModuleInput = builder.inputType('ConfigureModuleInput', {
  fields: (t) => ({ installationId: t.globalID({ required: true, for: ModuleInstallationType }), config: t.field({ type: 'JSON', required: true }) }),
});
const UninstallModuleInput = builder.inputType('UninstallModuleInput', {
  fields: (t) => ({ installationId: t.globalID({ required: true, for: ModuleInstallationType }) }),
});
const EnableModuleInput = builder.inputType('EnableModuleInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    moduleKey: t.string({ required: true }),
    config: t.field({ type: 'JSON', description: 'Event-level configuration, validated against the module’s schema.' }),
  }),
});
const DisableModuleInput = builder.inputType('DisableModuleInput', {
  fields: (t) => ({ eventId: t.globalID({ required: true, for: EventType }), moduleKey: t.string({ required: true }) }),
});

const InstallationPayload = payload('ModuleInstallationPayload', 'installation', ModuleInstallationType);
const EnablementPayload = payload('ModuleEnablementPayload', 'enablement', ModuleEnablementType);
const UninstallPayload = deletedPayload('UninstallModulePayload', 'ModuleInstallation');
const DisablePayload = deletedPayload('DisableModulePayload', 'ModuleEnablement');

builder.mutationFields((t) => ({
  installModule: t.field({
    type: InstallationPayload,
    ...canField('module:manage', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    args: { input: t.arg({ type: InstallModuleInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, ModuleDependencyError] },
    resolve: async (_r, { input }, ctx) => ({
      installation: await inTransaction(ctx, (tx) =>
        installModule(tx, ctx.caller, ctx.app.moduleRegistry, input.occasionId.id, input.moduleKey, input.config),
      ),
    }),
  }),
  configureModule: t.field({
    type: InstallationPayload,
    ...canField('module:manage', 'MODULE_INSTALLATION', (_p, args: InputIdArgs<'installationId'>, ctx) =>
      ctx.targets.installation(args.input.installationId.id),
    ),
    args: { input: t.arg({ type: ConfigureModuleInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => ({
      installation: await inTransaction(ctx, (tx) => configureModule(tx, ctx.caller, ctx.app.moduleRegistry, input.installationId.id, input.config)),
    }),
  }),
  uninstallModule: t.field({
    type: UninstallPayload,
    ...canField('module:manage', 'MODULE_INSTALLATION', (_p, args: InputIdArgs<'installationId'>, ctx) =>
      ctx.targets.installation(args.input.installationId.id),
    ),
    args: { input: t.arg({ type: UninstallModuleInput, required: true }) },
    errors: { types: [ModuleDependencyError] },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => uninstallModule(tx, ctx.caller, ctx.app.moduleRegistry, input.installationId.id)),
  }),
  enableModule: t.field({
    type: EnablementPayload,
    ...canField('module:manage', 'EVENT', (_p, args: InputIdArgs<'eventId'>, ctx) => ctx.targets.event(args.input.eventId.id)),
    args: { input: t.arg({ type: EnableModuleInput, required: true }) },
    errors: { types: [ValidationError, ModuleDependencyError] },
    resolve: async (_r, { input }, ctx) => ({
      enablement: await inTransaction(ctx, (tx) =>
        enableModule(tx, ctx.caller, ctx.app.moduleRegistry, input.eventId.id, input.moduleKey, input.config),
      ),
    }),
  }),
  disableModule: t.field({
    type: DisablePayload,
    ...canField('module:manage', 'EVENT', (_p, args: InputIdArgs<'eventId'>, ctx) => ctx.targets.event(args.input.eventId.id)),
    args: { input: t.arg({ type: DisableModuleInput, required: true }) },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => disableModule(tx, ctx.caller, input.eventId.id, input.moduleKey)),
  }),
}));
