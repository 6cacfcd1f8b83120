import DataLoader from 'dataloader';
import { isUuid } from '../../kit/ids.js';
import type { Prisma } from '../../platform/db/client.js';

declare module '../../kit/context.js' {
  interface Context {
    /** Where modules are installed and enabled, batched per request (the registry of shipped modules is `app.moduleRegistry`). */
    moduleState: ModuleStateLoaders;
  }
}

export interface EnablementRow {
  id: string;
  occasionId: string;
  eventId: string;
  installationId: string;
  config: unknown;
}

/**
 * Where a module is installed and enabled, batched per request: module fields
 * on a list of events ask once for all of them.
 */
export function createModuleStateLoaders(prisma: Prisma) {
  const enablements = new DataLoader<string, EnablementRow | null>(async (keys) => {
    const pairs = keys.map((k) => k.split('|') as [string, string]);
    const rows = await prisma.moduleEnablement.findMany({
      where: { eventId: { in: pairs.map((p) => p[0]).filter(isUuid) }, installation: { moduleKey: { in: [...new Set(pairs.map((p) => p[1]))] } } },
      select: { id: true, occasionId: true, eventId: true, installationId: true, config: true, installation: { select: { moduleKey: true } } },
    });
    return pairs.map(([eventId, key]) => rows.find((r) => r.eventId === eventId && r.installation.moduleKey === key) ?? null);
  });
  const installations = new DataLoader<string, { id: string; config: unknown } | null>(async (keys) => {
    const pairs = keys.map((k) => k.split('|') as [string, string]);
    const rows = await prisma.moduleInstallation.findMany({
      where: { occasionId: { in: pairs.map((p) => p[0]).filter(isUuid) }, moduleKey: { in: [...new Set(pairs.map((p) => p[1]))] } },
      select: { id: true, occasionId: true, moduleKey: true, config: true },
    });
    return pairs.map(([occasionId, key]) => rows.find((r) => r.occasionId === occasionId && r.moduleKey === key) ?? null);
  });
  return {
    /** The module's enablement on an event, or null where it is not enabled. */
    enablement: (eventId: string, moduleKey: string) => enablements.load(`${eventId}|${moduleKey}`),
    /** The module's installation on an occasion, or null. */
    installation: (occasionId: string, moduleKey: string) => installations.load(`${occasionId}|${moduleKey}`),
  };
}
export type ModuleStateLoaders = ReturnType<typeof createModuleStateLoaders>;
