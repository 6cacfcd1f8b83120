import type { TestServer } from '../../../support/harness.js';

/*
 * A browser's part of the guest page, over real HTTP, for tests that read the
 * HTML: it keeps the session cookie, follows nothing on its own (so a test
 * sees each 303), and sends forms as a browser does (urlencoded).
 */
export class GuestClient {
  cookie: string | null = null;
  constructor(
    private readonly s: TestServer,
    private readonly headers: Record<string, string> = {},
  ) {}

  async get(path: string, headers: Record<string, string> = {}) {
    return this.keep(await this.s.fetch(path, { redirect: 'manual', headers: this.with(headers) }));
  }

  async post(path: string, form: [string, string][] | URLSearchParams, headers: Record<string, string> = {}) {
    const body = form instanceof URLSearchParams ? form : new URLSearchParams(form);
    return this.keep(
      await this.s.fetch(path, {
        method: 'POST',
        redirect: 'manual',
        headers: this.with({ 'content-type': 'application/x-www-form-urlencoded', ...headers }),
        body: body.toString(),
      }),
    );
  }

  /** Opens a link as sent (absolute or a path) and follows its one redirect to the page. */
  async open(link: string, headers: Record<string, string> = {}) {
    const first = await this.get(new URL(link, 'http://x').pathname + new URL(link, 'http://x').search, headers);
    if (first.status !== 303) return { first, page: first, html: await first.text() };
    const page = await this.get(first.headers.get('location')!, headers);
    return { first, page, html: await page.text() };
  }

  private with(headers: Record<string, string>) {
    return { ...this.headers, ...(this.cookie ? { cookie: this.cookie } : {}), ...headers };
  }

  private keep(r: Response) {
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const value = pair!.slice(pair!.indexOf('=') + 1);
      this.cookie = value ? pair! : null;
    }
    return r;
  }
}

/** The hidden form token of a page. */
export const formTokenOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** The visible text of a page, tags dropped and entities read (for "does it say …" checks). */
export const textOf = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    // Inline elements join their text as a browser shows it ("Dear <bdi>Noa</bdi>," reads "Dear Noa,").
    .replace(/<\/?(?:bdi|b|span)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
