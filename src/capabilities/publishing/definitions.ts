import type { ModuleRegistry } from '../../domains/module-platform/manifest.js';
import type { Tx } from '../../platform/db/client.js';
import { ValidationError } from '../../platform/errors.js';
import type { ArtifactDefinition } from './artifact-definition.js';

/** Core definitions would join here; today every definition comes from a module. */
const CORE_DEFINITIONS: readonly ArtifactDefinition[] = [];

const byRegistry = new WeakMap<ModuleRegistry, Map<string, ArtifactDefinition>>();

/** Every definition this server ships, by key (a key defined twice is a wiring mistake, caught on first use). */
export function artifactDefinitions(registry: ModuleRegistry): Map<string, ArtifactDefinition> {
  let all = byRegistry.get(registry);
  if (!all) {
    all = new Map();
    for (const d of [...CORE_DEFINITIONS, ...registry.list().flatMap((m) => (m.artifacts ?? []).map((a) => ({ ...a, module: m.key })))]) {
      if (all.has(d.key)) throw new Error(`Artifact definition ${d.key} is defined twice`);
      all.set(d.key, d);
    }
    byRegistry.set(registry, all);
  }
  return all;
}

/** The definition of `key`, usable on this occasion (its module installed), or a validation error naming why not. */
export async function usableDefinition(tx: Tx, registry: ModuleRegistry, occasionId: string, key: string): Promise<ArtifactDefinition> {
  const d = artifactDefinitions(registry).get(key);
  if (!d) {
    const known = [...artifactDefinitions(registry).keys()].join(', ') || 'none';
    throw new ValidationError(`No artifact definition ${key} (there are: ${known}).`, [
      { path: 'input.definitionKey', message: 'Unknown definition.' },
    ]);
  }
  if (d.module) {
    const installed = await tx.moduleInstallation.findFirst({ where: { occasionId, moduleKey: d.module }, select: { id: true } });
    if (!installed) {
      throw new ValidationError(`${d.name} needs the ${d.module} module: install it on the occasion first.`, [
        { path: 'input.definitionKey', message: `Needs the ${d.module} module installed.` },
      ]);
    }
  }
  return d;
}
