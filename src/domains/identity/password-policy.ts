import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ValidationError } from '../../platform/errors.js';

/**
 * NIST SP 800-63B style: length and a check against common and breached
 * passwords, no composition rules. Long passphrases are welcome; what is
 * refused is what an attacker tries first.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
/**
 * zxcvbn's cost grows with length (~100 ms at 64 characters on a busy core);
 * it judges this much, which is plenty to tell a pattern from a passphrase.
 */
const JUDGED_LENGTH = 64;
/** zxcvbn's 0–4 scale; 3 is "safely unguessable: moderate protection from an offline slow-hash attack". */
const MIN_SCORE = 3;

let estimator: Promise<ZxcvbnFactory> | null = null;

/** The dictionaries (a few MB) load on the first password set, once per process, not at start-up. */
function zxcvbn(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    return new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  })();
  estimator.catch(() => (estimator = null));
  return estimator;
}

/**
 * What the account says about itself, as zxcvbn user inputs: the email, its
 * local part (with and without separators), each word of it and of the
 * display name, and the name run together. "adalovelace1" for
 * ada.lovelace@example.com is then seen as the email plus a digit.
 */
export function personalWords(email: string, displayName?: string): string[] {
  const out = new Set<string>();
  const add = (s: string) => {
    const v = s.toLowerCase().trim();
    if (v.length >= 3) out.add(v);
  };
  const words = (s: string) => s.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const [local = '', domain = ''] = email.split('@');
  for (const s of [email, local, words(local).join(''), ...words(local), ...words(domain)]) add(s);
  if (displayName) for (const s of [displayName, words(displayName).join(''), ...words(displayName)]) add(s);
  return [...out];
}

const plain = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');

/**
 * Trivially made from the account's own words, separators and case aside: a
 * piece of the email or name, or one of its words (4+ letters) with fewer
 * than 4 characters added. zxcvbn would score some of these well, because a
 * long random-looking email local part looks strong to it.
 */
function derivedFrom(password: string, words: string[]): boolean {
  const p = plain(password);
  if (!p) return false;
  return words.some((w) => {
    const v = plain(w);
    return v.includes(p) || (v.length >= 4 && p.includes(v) && p.length - v.length < 4);
  });
}

const issue = (message: string) => new ValidationError(`input.password: ${message}`, [{ path: 'input.password', message }]);

/**
 * Refuses a password that is too short, too long, blank, the account's own
 * email or name (or trivially built from them), or common/guessable.
 * Returns the refusal rather than throwing so callers can first do the same
 * hashing work either way.
 */
export async function passwordProblem(password: string, account: { email: string; displayName?: string }): Promise<ValidationError | null> {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return issue(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (length > PASSWORD_MAX_LENGTH) return issue(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  if (!password.trim()) return issue('A password cannot be only spaces.');
  const inputs = personalWords(account.email, account.displayName);
  if (derivedFrom(password, inputs)) return issue('Do not use your email address or name (or a piece of them) as your password.');
  const judged = [...password].slice(0, JUDGED_LENGTH).join('');
  const result = (await zxcvbn()).check(judged, inputs);
  if (result.score >= MIN_SCORE) return null;
  if (result.feedback.warning === 'userInputs') return issue('Too close to your email address or name; choose something unrelated.');
  return issue('Too easy to guess: a common password, a pattern or a repeated sequence. A few unrelated words make a strong passphrase.');
}
