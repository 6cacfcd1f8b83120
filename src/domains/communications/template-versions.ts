import type { CommChannel, CommKind } from '../../generated/prisma/client.js';
import type { Tx } from '../../platform/db/client.js';
import { DEFAULT_LOCALES } from './templates/defaults.js';

/**
 * Which template each recipient's message uses, chosen when it is queued: the
 * occasion's own template in the recipient's language if there is one, else
 * the built-in one in that language, then the same for the language without
 * its region (he-IL → he), the occasion's default language, and English.
 */
export interface TemplateChoice {
  /** The locale a message for `requested` is written in. */
  localeOf(requested: string): string;
  /** The planner's template version for that locale; null: the built-in template. */
  versionIdOf(locale: string): string | null;
}

export function localeChain(requested: string, occasionDefault: string): string[] {
  const base = (l: string) => l.split('-')[0]!;
  return [...new Set([requested, base(requested), occasionDefault, base(occasionDefault), 'en'])];
}

export async function resolveTemplateVersions(
  tx: Tx,
  occasionId: string,
  kind: CommKind,
  channel: CommChannel,
  requested: string[],
  occasionDefault = 'en',
  /** Only the occasion's own templates (see QueueInput.ownTemplatesOnly); the built-in ones only when it has none at all. */
  opts: { ownOnly?: boolean } = {},
): Promise<TemplateChoice> {
  const own = await tx.commTemplate.findMany({ where: { occasionId, kind, channel }, select: { id: true, locale: true, currentVersion: true } });
  const versions = own.length
    ? await tx.commTemplateVersion.findMany({
        where: { OR: own.map((t) => ({ templateId: t.id, version: t.currentVersion })) },
        select: { id: true, templateId: true },
      })
    : [];
  const byLocale = new Map(own.map((t) => [t.locale, versions.find((v) => v.templateId === t.id)?.id ?? null]));
  const chosen = new Map<string, string>();
  for (const r of new Set(requested)) {
    const chain = localeChain(r, occasionDefault);
    const mine = opts.ownOnly && byLocale.size ? (chain.find((l) => byLocale.has(l)) ?? [...byLocale.keys()].sort()[0]) : undefined;
    const locale = mine ?? chain.find((l) => byLocale.has(l) || DEFAULT_LOCALES.includes(l)) ?? 'en';
    chosen.set(r, locale);
  }
  return {
    localeOf: (r) => chosen.get(r) ?? 'en',
    versionIdOf: (l) => byLocale.get(l) ?? null,
  };
}
