/*
 * The SMTP connection as one URL (the MAIL_URL setting):
 *
 *   smtp://user:pass@host:port             plain connection, upgraded with STARTTLS when the server offers it
 *   smtp://user:pass@host:port?tls=starttls  STARTTLS required: fails rather than send in clear
 *   smtp://host:port?tls=off               never STARTTLS (a relay on the same host or network, test servers)
 *   smtps://user:pass@host:port            TLS from the first byte (port 465)
 *
 * User and password are percent-decoded (a '@' or ':' in a password is written %40, %3A). Default ports:
 * 587 for smtp, 465 for smtps. Anything else in the URL is refused rather than ignored, so a typo in a
 * setting is an error at start-up, not a silently different connection.
 */

export type MailTls = 'implicit' | 'starttls' | 'opportunistic' | 'off';

export interface MailUrl {
  host: string;
  port: number;
  tls: MailTls;
  auth: { user: string; pass: string } | null;
}

export class MailUrlError extends Error {
  override name = 'MailUrlError';
}

export function parseMailUrl(url: string): MailUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MailUrlError('The mail URL is not a URL (expected smtp://user:pass@host:port or smtps://…).');
  }
  const redacted = redactMailUrl(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new MailUrlError(`The mail URL must start with smtp:// or smtps://: ${redacted}`);
  if (!u.hostname) throw new MailUrlError(`The mail URL has no host: ${redacted}`);
  if (u.pathname && u.pathname !== '/') throw new MailUrlError(`The mail URL may not have a path: ${redacted}`);
  if (u.hash) throw new MailUrlError(`The mail URL may not have a fragment: ${redacted}`);
  for (const key of u.searchParams.keys()) {
    if (key !== 'tls') throw new MailUrlError(`The mail URL has an unknown parameter "${key}" (only tls=starttls|off): ${redacted}`);
  }
  const tlsParam = u.searchParams.get('tls');
  let tls: MailTls;
  if (u.protocol === 'smtps:') {
    if (tlsParam !== null) throw new MailUrlError(`smtps:// is TLS from the start; tls= applies to smtp:// only: ${redacted}`);
    tls = 'implicit';
  } else if (tlsParam === null) tls = 'opportunistic';
  else if (tlsParam === 'starttls' || tlsParam === 'off') tls = tlsParam;
  else throw new MailUrlError(`The mail URL's tls= must be starttls or off: ${redacted}`);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  if (pass && !user) throw new MailUrlError(`The mail URL has a password but no user: ${redacted}`);
  return {
    // IPv6 literals come bracketed from URL; the socket wants them bare.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    tls,
    auth: user ? { user, pass } : null,
  };
}

/** The URL with its password replaced by *** (for logs and error messages); unparseable input is hidden whole. */
export function redactMailUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(unreadable mail URL)';
  }
  if (u.password) u.password = '***';
  return u.href.replace(/\/(\?|$)/, '$1');
}
