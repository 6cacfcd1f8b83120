import { resolveAppKey } from '../../platform/app-key.js';
import type { Config } from '../../platform/config.js';

/** What writing and sending messages needs from the configuration. */
export interface MessagingEnv {
  /** Encrypts a message's secret parts (guest links) at rest. */
  appKey: Buffer;
  /** From, as `Name <address>`. */
  from: { name: string; address: string };
  /** The domain of every Message-ID: the From address's, so receivers see ids of the sender's own domain. */
  mailDomain: string;
  /** Where links in messages point (one-click unsubscribe, preferences). */
  publicUrl: string;
}

const built = new WeakMap<Config, MessagingEnv>();

export function messagingEnv(config: Config): MessagingEnv {
  let env = built.get(config);
  if (!env) {
    const from = parseFrom(config.MAIL_FROM);
    env = { appKey: resolveAppKey(config), from, mailDomain: from.address.split('@')[1]!, publicUrl: config.publicUrl.replace(/\/+$/, '') };
    built.set(config, env);
  }
  return env;
}

/** `Name <a@b>` or `a@b`. */
export function parseFrom(value: string): { name: string; address: string } {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value) ?? /^\s*()([^<>\s]+@[^<>\s]+)\s*$/.exec(value);
  if (!m) throw new Error(`MAIL_FROM: "${value}" is not an address such as "Tov+ <no-reply@example.com>".`);
  return { name: (m[1] ?? '').trim() || 'Tov+', address: m[2]! };
}
