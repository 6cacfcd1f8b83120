import type { Context } from '../../kit/context.js';
import type { Prisma } from '../../platform/db/client.js';
import type { Principal } from '../../platform/principal.js';
import { parentChain, requireLocale } from './locales.js';
import { contentLocaleChain } from './translation-resolve.js';

/*
 * Which language a request answers in: an explicit `locale` argument, else
 * the caller's saved preference, else the request's Accept-Language; the
 * occasion's default (the stored text) closes every chain. A user's
 * preference is User.locale, read with their account when the request is
 * authenticated. A guest's belongs to whoever knows the guest's people —
 * RSVP keeps it on the invitation's primary person — and is contributed
 * through a module manifest's `guestLocale`, read at most once per request.
 */

export type GuestPrincipal = Extract<Principal, { kind: 'guest' }>;

declare module '../../domains/module-platform/manifest.js' {
  interface ModuleManifest {
    /** A guest's saved locale (canonical BCP 47), or null: RSVP reads the invitation's primary person. */
    guestLocale?: (db: Prisma, guest: GuestPrincipal) => Promise<string | null>;
  }
}

const guestPreferences = new WeakMap<Context, Promise<string | null>>();

async function guestPreference(ctx: Context, guest: GuestPrincipal): Promise<string | null> {
  for (const m of ctx.app.moduleRegistry.list()) {
    const found = m.guestLocale ? await m.guestLocale(ctx.prisma, guest) : null;
    if (found) return found;
  }
  return null;
}

/** The caller's saved locale: a user's User.locale, a guest's from the modules; null for anyone else. */
export function savedLocale(ctx: Context): Promise<string | null> {
  const p = ctx.principal;
  if (p.kind === 'user') return Promise.resolve(ctx.userLocale ?? null);
  if (p.kind !== 'guest') return Promise.resolve(null);
  let found = guestPreferences.get(ctx);
  if (!found) {
    found = guestPreference(ctx, p);
    guestPreferences.set(ctx, found);
  }
  return found;
}

/**
 * The locales to read content in for this request, best first (he-IL, he, …).
 * An explicit locale must be a known one (ValidationError on `path`); the
 * saved preference and the header are taken as they come.
 */
export async function requestLocaleChain(ctx: Context, explicit?: string | null, path = 'locale'): Promise<string[]> {
  if (explicit) return parentChain(requireLocale(explicit, path));
  return contentLocaleChain(null, ctx.acceptLanguage, await savedLocale(ctx));
}
