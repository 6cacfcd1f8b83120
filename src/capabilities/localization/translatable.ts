import type { ModuleRegistry } from '../../domains/module-platform/manifest.js';
import type { Prisma, Tx } from '../../platform/db/client.js';

/*
 * Translatable resources beyond the occasion and its events, contributed by
 * modules through their manifest's `translatables` (Forms: its questions).
 * Localization owns storing, checking, resolving and listing translations;
 * a contribution says only where a resource's texts are and what they say,
 * so this capability never imports a module.
 *
 * A contributed resource is an item (`key`) inside a parent row (`resourceId`):
 * a form question is (form, question key), which stays the same across the
 * question's versions. Its translations are stored on the parent with the key
 * in the field (`meal:label`, `meal:option:veg`), so editing a question (which
 * writes a new version) keeps them, and a choice keeps its translation for as
 * long as its value exists.
 */

/** The occasion's own translatable fields: an occasion its name, an event its name and description. */
export const FIELDS_OF = { Occasion: ['name'], Event: ['name', 'description'] } as const;

/** What a text of a resource is: its name, description or label, or one of its choices' labels. */
export type TextPart = 'name' | 'description' | 'label' | `option:${string}`;

/** One text a reader may see, in the occasion's default locale (the stored text), and where its translations are kept. */
export interface SourceText {
  resourceType: string;
  resourceId: string;
  /** The stored field: `name`, or `<key>:<part>` for a contributed resource. */
  field: string;
  sourceText: string;
}

/** A contributed resource the planner named, found in the occasion. */
export interface FoundResource {
  /** The row its translations are stored on (a question's form). */
  resourceId: string;
  /** The item's texts by part (label, option:<value>); null when there is no such item (now). */
  texts: Map<TextPart, string> | null;
}

export interface TranslatableResource {
  /** ContentTranslation.resourceType of its rows (FormQuestion). */
  resourceType: string;
  /** The global-id type of the parent row a planner names it by, with `resourceKey` (Form). */
  idType: string;
  /** What the key is, for messages (question key). */
  keyName: string;
  /**
   * The parent row `id` names, if it is in the occasion (else null: NOT_FOUND,
   * another occasion's looks the same as none), with the texts of its item `key`.
   */
  find(tx: Tx, occasionId: string, id: string, key: string | null): Promise<FoundResource | null>;
  /** Every text of the occasion a guest may see, in display order (for missingTranslations). */
  texts(db: Prisma | Tx, occasionId: string): Promise<SourceText[]>;
}

/** Checks a contribution where it is written. */
export const defineTranslatable = (r: TranslatableResource): TranslatableResource => r;

declare module '../../domains/module-platform/manifest.js' {
  interface ModuleManifest {
    /** Texts of this module that planners translate through Localization (Forms: question labels and choices). */
    translatables?: readonly TranslatableResource[];
  }
}

const byRegistry = new WeakMap<ModuleRegistry, Map<string, TranslatableResource>>();

/** Every contributed resource, by resourceType (a type contributed twice is a wiring mistake, caught on first use). */
export function translatables(registry: ModuleRegistry): Map<string, TranslatableResource> {
  let all = byRegistry.get(registry);
  if (!all) {
    all = new Map();
    for (const r of registry.list().flatMap((m) => m.translatables ?? [])) {
      if (all.has(r.resourceType) || r.resourceType === 'Occasion' || r.resourceType === 'Event')
        throw new Error(`Translatable resource ${r.resourceType} is defined twice`);
      all.set(r.resourceType, r);
    }
    byRegistry.set(registry, all);
  }
  return all;
}

/** The contribution whose parent rows are named by global ids of `idType`. */
export const translatableByIdType = (registry: ModuleRegistry, idType: string) =>
  [...translatables(registry).values()].find((r) => r.idType === idType) ?? null;

/** The stored field of a part: as is for an occasion or event, behind the item's key for a contributed resource. */
export const storedField = (key: string | null, part: TextPart): string => (key ? `${key}:${part}` : part);

/**
 * A stored field read back. An occasion's or event's field has no `:`; a
 * contributed one always starts with its key, and keys never contain `:`
 * (option values may), so the first `:` ends the key.
 */
export function parseStoredField(field: string): { key: string | null; part: string; choiceValue: string | null } {
  const colon = field.indexOf(':');
  const [key, part] = colon < 0 ? [null, field] : [field.slice(0, colon), field.slice(colon + 1)];
  return { key, part, choiceValue: part.startsWith('option:') ? part.slice('option:'.length) : null };
}
