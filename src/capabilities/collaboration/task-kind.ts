import type { ModuleRegistry } from '../../domains/module-platform/manifest.js';

/*
 * Task kinds: the work a feature hands to people through Collaboration (call a
 * household that has not answered, fill a table). Collaboration owns what every
 * task shares — candidates, claiming, reassignment, completion, their events —
 * and a kind owns only its name, the resource its tasks are about and the
 * outcomes that close one. Contributed through a module manifest's `taskKinds`.
 */

export interface TaskKind {
  /** Stored on tasks (`rsvp.follow_up`): `<module>.<name>`. */
  key: string;
  name: string;
  description: string;
  /** The resource type its tasks name (`Actor`): their resourceId is a global id of this type. */
  resourceType: string;
  /** The outcomes a completion may report (`REACHED`); absent: any short text, or none. */
  outcomes?: readonly string[];
  /** The module that defines it (filled in from the manifest). */
  module?: string;
}

/** Checks a kind where it is written. */
export const defineTaskKind = (k: TaskKind): TaskKind => k;

declare module '../../domains/module-platform/manifest.js' {
  interface ModuleManifest {
    /** Kinds of task this module creates through Collaboration (RSVP's follow-up calls). */
    taskKinds?: readonly TaskKind[];
  }
}

const byRegistry = new WeakMap<ModuleRegistry, Map<string, TaskKind>>();

/** Every kind this server ships, by key (a key defined twice is a wiring mistake, caught on first use). */
export function taskKinds(registry: ModuleRegistry): Map<string, TaskKind> {
  let all = byRegistry.get(registry);
  if (!all) {
    all = new Map();
    for (const k of registry.list().flatMap((m) => (m.taskKinds ?? []).map((t) => ({ ...t, module: m.key })))) {
      if (all.has(k.key)) throw new Error(`Task kind ${k.key} is defined twice`);
      all.set(k.key, k);
    }
    byRegistry.set(registry, all);
  }
  return all;
}
