import type { Target } from '../../kit/authorization.js';
import type { Context } from '../../kit/context.js';
import type { Prisma, Tx } from '../../platform/db/client.js';

/*
 * What assets can be attached to. Attachments name their subject by type and
 * id (an occasion's branding, an event's cover, an artifact version's files),
 * so no foreign key can say whose a subject is: its owner (a domain, a
 * capability or a module) defines the subject type here, and with it the
 * visibility hook that decides who besides asset:read holders may read what
 * is attached to it (an artifact version's files: whoever may read that
 * version). The composition root collects the definitions (create-app.ts).
 */

/**
 * Every subject type the API names (the GraphQL enum AssetSubjectType is built from it, so the schema is
 * the same whichever contributors are wired): a definition of a type not listed here is refused at start-up.
 * A listed type nobody defines has no subjects: attaching to it is NOT_FOUND.
 */
export const ASSET_SUBJECT_TYPES = ['Occasion', 'Event', 'ArtifactVersion'] as const;
export type AssetSubjectType = (typeof ASSET_SUBJECT_TYPES)[number];

export interface AssetSubjectDefinition {
  /** As stored on attachments, and as its global ids name it: one of ASSET_SUBJECT_TYPES. */
  type: AssetSubjectType;
  /** What a missing subject is called in NOT_FOUND. */
  what: string;
  /** The subject's occasion, or null when it does not exist. */
  occasionOf(db: Prisma | Tx, subjectId: string): Promise<string | null>;
  /** The action needed to attach or detach assets here; null: only the owner's own services attach (generated files). */
  attachAction: string | null;
  /**
   * Where attachAction is checked (an event's id for an event-scoped grant); null when the subject does not
   * exist. Absent: the subject's occasion (from occasionOf).
   */
  target?(db: Prisma | Tx, subjectId: string): Promise<Target | null>;
  /** Attachment roles this subject takes (e.g. logo, cover); anything else is a validation error. */
  roles: readonly string[];
  /** The visibility hook: may this caller read an asset attached here in `role`? (asset:read holders always may.) */
  canRead(ctx: Context, subject: { id: string; occasionId: string }, role: string): Promise<boolean>;
}

export type AssetSubjects = ReadonlyMap<string, AssetSubjectDefinition>;

export const defineAssetSubject = (d: AssetSubjectDefinition): AssetSubjectDefinition => d;

/** One map of every contributor's subject types; a type defined twice is a wiring mistake, caught at start-up. */
export function collectAssetSubjects(contributions: readonly (readonly AssetSubjectDefinition[])[]): AssetSubjects {
  const all = new Map<string, AssetSubjectDefinition>();
  for (const d of contributions.flat()) {
    if (all.has(d.type)) throw new Error(`Asset subject ${d.type} is defined twice`);
    if (!(ASSET_SUBJECT_TYPES as readonly string[]).includes(d.type)) throw new Error(`Asset subject ${d.type} is not in ASSET_SUBJECT_TYPES`);
    all.set(d.type, d);
  }
  return all;
}

declare module '../../kit/context.js' {
  interface AppServices {
    /** Subject types assets attach to, with their visibility hooks. */
    assetSubjects: AssetSubjects;
  }
}

/** Where a subject's attachAction is checked: its own target, else its occasion; null when it does not exist. */
export async function subjectTarget(d: AssetSubjectDefinition, db: Prisma | Tx, subjectId: string): Promise<Target | null> {
  if (d.target) return d.target(db, subjectId);
  const occasionId = await d.occasionOf(db, subjectId);
  return occasionId ? { occasionId } : null;
}
