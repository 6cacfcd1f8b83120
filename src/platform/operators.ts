/**
 * Platform operators (PLATFORM_OPERATORS): the users who manage integration
 * records. Set once per process by the composition root (src/app.ts) from
 * config, so the permission engine can recognise them without every place
 * that builds an Authorizer passing config along.
 */
let operators: ReadonlySet<string> = new Set();

export function setPlatformOperators(emails: readonly string[]): void {
  operators = new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean));
}

export const isPlatformOperator = (email: string): boolean => operators.has(email.trim().toLowerCase());
