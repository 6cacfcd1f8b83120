import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { apiError, ConflictError, ModuleDependencyError, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { revokeGrantsScopedTo } from '../permissions/grant-guard.js';
import { installedDependents, missingDependencies, type ModuleRegistry } from './manifest.js';
import { moduleConfigured, moduleDisabled, moduleEnabled, moduleInstalled, moduleUninstalled } from './module-platform.business-events.js';

function manifestOf(registry: ModuleRegistry, key: string) {
  const m = registry.get(key);
  if (!m)
    throw new ValidationError(
      `Unknown module "${key}". Available: ${registry
        .list()
        .map((x) => x.key)
        .join(', ')}.`,
      [{ path: 'input.moduleKey', message: 'Unknown module.' }],
    );
  return m;
}

function validConfig(
  schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } },
  value: unknown,
  path: string,
) {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw ValidationError.fromZod(r.error!, path);
  return r.data as object;
}

export async function installModule(tx: Tx, caller: Caller, registry: ModuleRegistry, occasionId: string, key: string, config: unknown) {
  const m = manifestOf(registry, key);
  const installed = new Set((await tx.moduleInstallation.findMany({ where: { occasionId }, select: { moduleKey: true } })).map((i) => i.moduleKey));
  if (installed.has(key)) throw new ConflictError(`Module "${key}" is already installed; change its configuration with configureModule.`);
  const missing = missingDependencies(registry, key, installed);
  if (missing.length)
    throw new ModuleDependencyError(`Install ${missing.join(', ')} first: "${key}" depends on ${missing.length > 1 ? 'them' : 'it'}.`, missing);
  const inst = await tx.moduleInstallation.create({
    data: { occasionId, moduleKey: key, version: m.version, config: validConfig(m.config, config, 'input.config') },
  });
  await recordAudit(tx, caller, {
    action: 'module:install',
    occasionId,
    target: { type: 'ModuleInstallation', id: inst.id },
    scope: { installationId: inst.id },
    after: inst,
  });
  await recordBusinessEvent(tx, caller, moduleInstalled, { occasionId, moduleKey: key, installationId: inst.id, version: m.version }, { occasionId });
  return inst;
}

export async function configureModule(tx: Tx, caller: Caller, registry: ModuleRegistry, installationId: string, config: unknown) {
  const before = await tx.moduleInstallation.findUnique({ where: { id: installationId } });
  if (!before) throw notFound('Module installation');
  const m = manifestOf(registry, before.moduleKey);
  const after = await tx.moduleInstallation.update({
    where: { id: installationId },
    data: { config: validConfig(m.config, config, 'input.config') },
  });
  await recordAudit(tx, caller, {
    action: 'module:configure',
    occasionId: before.occasionId,
    target: { type: 'ModuleInstallation', id: installationId },
    scope: { installationId },
    before,
    after,
  });
  await recordBusinessEvent(
    tx,
    caller,
    moduleConfigured,
    { occasionId: before.occasionId, moduleKey: before.moduleKey, installationId },
    { occasionId: before.occasionId },
  );
  return after;
}

export async function uninstallModule(tx: Tx, caller: Caller, registry: ModuleRegistry, installationId: string) {
  const before = await tx.moduleInstallation.findUnique({ where: { id: installationId }, include: { enablements: true } });
  if (!before) throw notFound('Module installation');
  const installed = new Set(
    (await tx.moduleInstallation.findMany({ where: { occasionId: before.occasionId }, select: { moduleKey: true } })).map((i) => i.moduleKey),
  );
  const dependents = installedDependents(registry, before.moduleKey, installed);
  if (dependents.length)
    throw new ModuleDependencyError(
      `Uninstall ${dependents.join(', ')} first: ${dependents.length > 1 ? 'they depend' : 'it depends'} on "${before.moduleKey}".`,
      dependents,
    );
  await revokeGrantsScopedTo(tx, caller, before.occasionId, {
    OR: [{ scopeInstallationId: installationId }, { scopeEnablementId: { in: before.enablements.map((e) => e.id) } }],
  });
  await tx.moduleInstallation.delete({ where: { id: installationId } });
  await recordAudit(tx, caller, {
    action: 'module:uninstall',
    occasionId: before.occasionId,
    target: { type: 'ModuleInstallation', id: installationId },
    scope: { installationId },
    before,
  });
  await recordBusinessEvent(
    tx,
    caller,
    moduleUninstalled,
    { occasionId: before.occasionId, moduleKey: before.moduleKey, installationId },
    { occasionId: before.occasionId },
  );
  return before;
}

/** Enables the module on an event, or updates the event-level config when it already is. */
export async function enableModule(tx: Tx, caller: Caller, registry: ModuleRegistry, eventId: string, key: string, config: unknown) {
  const event = await tx.event.findUnique({ where: { id: eventId } });
  if (!event) throw notFound('Event');
  const m = manifestOf(registry, key);
  const inst = await tx.moduleInstallation.findUnique({ where: { occasionId_moduleKey: { occasionId: event.occasionId, moduleKey: key } } });
  if (!inst) throw new ModuleDependencyError(`Install "${key}" on the occasion before enabling it on an event.`, [key]);
  const data = { config: validConfig(m.eventConfig, config, 'input.config') };
  await m.checkEventConfig?.(tx, { occasionId: event.occasionId, eventId }, data.config as Record<string, unknown>);
  const before = await tx.moduleEnablement.findUnique({ where: { installationId_eventId: { installationId: inst.id, eventId } } });
  const after = await tx.moduleEnablement.upsert({
    where: { installationId_eventId: { installationId: inst.id, eventId } },
    create: { ...data, occasionId: event.occasionId, installationId: inst.id, eventId },
    update: data,
  });
  const scope = { eventId, installationId: inst.id, enablementId: after.id };
  await recordAudit(tx, caller, {
    action: 'module:enable',
    occasionId: event.occasionId,
    target: { type: 'ModuleEnablement', id: after.id },
    scope,
    before,
    after,
  });
  await recordBusinessEvent(
    tx,
    caller,
    moduleEnabled,
    { occasionId: event.occasionId, moduleKey: key, installationId: inst.id, eventId },
    { occasionId: event.occasionId, eventId },
  );
  return after;
}

export async function disableModule(tx: Tx, caller: Caller, eventId: string, key: string) {
  const before = await tx.moduleEnablement.findFirst({ where: { eventId, installation: { moduleKey: key } } });
  if (!before) throw notFound('Module enablement');
  await revokeGrantsScopedTo(tx, caller, before.occasionId, { scopeEnablementId: before.id });
  await tx.moduleEnablement.delete({ where: { id: before.id } });
  const scope = { eventId, installationId: before.installationId, enablementId: before.id };
  await recordAudit(tx, caller, {
    action: 'module:disable',
    occasionId: before.occasionId,
    target: { type: 'ModuleEnablement', id: before.id },
    scope,
    before,
  });
  await recordBusinessEvent(
    tx,
    caller,
    moduleDisabled,
    { occasionId: before.occasionId, moduleKey: key, installationId: before.installationId, eventId },
    { occasionId: before.occasionId, eventId },
  );
  return before;
}

/**
 * For a module's own root fields: the enablement on this event, or a typed
 * MODULE_NOT_ENABLED error. Modules call this before doing anything per event.
 */
export function findEnablement(prisma: Prisma | Tx, eventId: string, key: string) {
  return prisma.moduleEnablement.findFirst({ where: { eventId, installation: { moduleKey: key } }, include: { installation: true } });
}

export const moduleNotEnabled = (key: string) =>
  apiError('MODULE_NOT_ENABLED', `The ${key} module is not enabled on this event.`, { moduleKey: key });

export async function requireEnabled(prisma: Prisma | Tx, eventId: string, key: string) {
  const e = await findEnablement(prisma, eventId, key);
  if (!e) throw moduleNotEnabled(key);
  return e;
}
