import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAccessible, navigates, openPage, screenshot, tabTo, takeProblems, throttle3G } from './browser.js';

/**
 * The browser harness's own checks fail when they should: one small page per
 * defect, served from 127.0.0.1, next to a page that passes them all.
 */

const STYLE =
  'body{font:16px/1.5 sans-serif;color:#1a1a1a;background:#fff;margin:0;padding:1rem}button{font:inherit;padding:.7rem 1.4rem;border:0;background:#5b3a8c;color:#fff}' +
  ':focus-visible{outline:3px solid #f0a500}';
const page = (body: string, { lang = 'en', dir = 'ltr', style = STYLE } = {}) =>
  `<!doctype html><html lang="${lang}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
const GOOD_FORM =
  '<h1>Title</h1><form method="post" action="/posted"><p><label><input type="checkbox" name="a"> Option</label></p><p><label for="n">Name</label> <input id="n" name="n"></p><button type="submit">Send</button></form>';

const PAGES: Record<string, { html: string; headers?: Record<string, string> }> = {
  '/good': { html: page(GOOD_FORM) },
  '/good-he': { html: page(GOOD_FORM.replace('Title', 'כותרת'), { lang: 'he', dir: 'rtl' }) },
  '/unreachable': { html: page(GOOD_FORM.replace('<button type="submit">', '<button type="submit" tabindex="-1">')) },
  '/posted': { html: page('<h1>Posted</h1><p>Thanks.</p>') },
  '/no-lang': { html: page(GOOD_FORM).replace(' lang="en"', '') },
  '/he-ltr': { html: page(GOOD_FORM, { lang: 'he', dir: 'ltr' }) },
  '/two-h1': { html: page(`${GOOD_FORM}<h1>Again</h1>`) },
  '/no-label': { html: page('<h1>T</h1><form><input name="q"><button type="submit">Go</button></form>') },
  '/low-contrast': { html: page(GOOD_FORM, { style: STYLE.replace('color:#1a1a1a', 'color:#aaa') }) },
  '/no-focus-ring': { html: page(GOOD_FORM, { style: `${STYLE.replace(':focus-visible{outline:3px solid #f0a500}', '')}*:focus{outline:none}` }) },
  '/too-wide': { html: page(`${GOOD_FORM}<div style="width:600px">wide</div>`) },
  '/outside': { html: page('<h1>T</h1><img alt="" src="http://tovplus.invalid/a.png">') },
  '/csp': {
    html: page('<h1>T</h1><img alt="" src="/a.png">'),
    headers: { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
  },
  '/script': { html: page('<h1>T</h1><p id="p">static</p><script>document.getElementById("p").textContent = "scripted"</script>') },
};

const server = createServer((req, res) => {
  const p = PAGES[new URL(req.url ?? '/', 'http://x').pathname];
  if (!p) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...p.headers }).end(p.html);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
afterAll(() => new Promise<void>((r) => server.close(() => r())));
const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

/** The problems expectAccessible reports for a page, one string each ([] when it passes). */
async function accessibilityProblems(ctx: Parameters<typeof openPage>[0], path: string, lang?: string) {
  const p = await openPage(ctx);
  await p.goto(url(path));
  try {
    await expectAccessible(p, lang ? { lang } : {});
    return [];
  } catch (e) {
    return (e as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
}

describe('expectAccessible', () => {
  it('passes a labelled, readable, keyboard-usable page in English and in Hebrew', async (ctx) => {
    expect(await accessibilityProblems(ctx, '/good', 'en')).toEqual([]);
    expect(await accessibilityProblems(ctx, '/good-he', 'he')).toEqual([]);
  });

  it.for([
    ['/no-lang', /^<html> has no lang$/],
    ['/he-ltr', /^<html dir="ltr"> for lang="he", expected dir="rtl"$/],
    ['/two-h1', /^2 h1 elements, expected exactly one$/],
    ['/no-label', /^axe label \(critical\): Form elements must have labels: input/],
    ['/low-contrast', /^axe color-contrast \(serious\): Elements must meet minimum color contrast ratio thresholds/],
    ['/no-focus-ring', /^no visible focus indicator on input\[type=checkbox\]/],
    ['/unreachable', /^Tab never reaches the submit button button\[type=submit\] "Send"$/],
    ['/too-wide', /^scrolls sideways on a 390px-wide phone \(content is \d+px wide\)$/],
  ] as const)('fails %s', async ([path, problem], ctx) => {
    expect(await accessibilityProblems(ctx, path)).toContainEqual(expect.stringMatching(problem));
  });

  it('wants the language the test expects', async (ctx) => {
    expect(await accessibilityProblems(ctx, '/good', 'he')).toContain('<html lang="en">, expected he');
  });

  it('says that axe needs JavaScript rather than hang', async (ctx) => {
    const p = await openPage(ctx, { javaScript: false });
    await p.goto(url('/good'));
    await expect(expectAccessible(p)).rejects.toThrow('open it with JavaScript on');
  });
});

describe('openPage', () => {
  it('is a phone in the language asked for', async (ctx) => {
    const p = await openPage(ctx, { locale: 'he' });
    await p.goto(url('/good-he'));
    expect(
      await p.evaluate(() => [(globalThis as any).innerWidth, (globalThis as any).devicePixelRatio, (globalThis as any).navigator.language]),
    ).toEqual([390, 2, 'he']);
  });

  it('records a request outside 127.0.0.1, which never leaves the machine', async (ctx) => {
    const p = await openPage(ctx);
    const failed = p.waitForEvent('requestfailed');
    await p.goto(url('/outside'));
    expect((await failed).failure()?.errorText).toBe('net::ERR_NAME_NOT_RESOLVED');
    expect(takeProblems(p)).toEqual(['asked for something outside 127.0.0.1: GET http://tovplus.invalid/a.png']);
  });

  it('records what the Content-Security-Policy refused', async (ctx) => {
    const p = await openPage(ctx);
    const refused = p.waitForEvent('console', (m) => m.text().includes('Content Security Policy'));
    await p.goto(url('/csp'));
    await refused;
    expect(takeProblems(p)).toEqual([expect.stringMatching(/^CSP: .*\/a\.png.* violates the following Content Security Policy directive/)]);
  });

  it('with javaScript: false runs no script', async (ctx) => {
    const p = await openPage(ctx, { javaScript: false });
    await p.goto(url('/script'));
    expect(await p.locator('#p').textContent()).toBe('static');
    const q = await openPage(ctx);
    await q.goto(url('/script'));
    expect(await q.locator('#p').textContent()).toBe('scripted');
  });

  it('tabTo and navigates: a form sent from the keyboard, and the page it leads to', async (ctx) => {
    const p = await openPage(ctx);
    await p.goto(url('/good'));
    await tabTo(p, p.getByRole('button', { name: 'Send' }));
    // The page's form posts; the test server answers any method.
    const res = await navigates(p, () => p.keyboard.press('Enter'));
    expect(res.request().method()).toBe('POST');
    expect(await p.locator('h1').textContent()).toBe('Posted');
    await p.goto(url('/unreachable'));
    await expect(tabTo(p, p.getByRole('button', { name: 'Send' }), 5)).rejects.toThrow('5 presses of Tab never reached');
  });

  it('throttle3G: the page sees a slow connection', async (ctx) => {
    const p = await openPage(ctx);
    await throttle3G(p);
    await p.goto(url('/good'));
    const connection = await p.evaluate(() => ({
      ...['effectiveType', 'rtt'].reduce((o, k) => ({ ...o, [k]: (globalThis as any).navigator.connection[k] }), {}),
    }));
    expect(connection).toMatchObject({ effectiveType: expect.stringMatching(/^(slow-)?2g$/), rtt: expect.any(Number) });
    expect((connection as { rtt: number }).rtt).toBeGreaterThanOrEqual(1500);
  });

  it('screenshot: a PNG outside the checkout unless UPDATE_SCREENSHOTS=1', async (ctx) => {
    const before = process.env.UPDATE_SCREENSHOTS;
    delete process.env.UPDATE_SCREENSHOTS;
    try {
      const p = await openPage(ctx);
      await p.goto(url('/good'));
      const file = await screenshot(p, 'harness-self-test');
      expect(file.startsWith(tmpdir())).toBe(true);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      await expect(screenshot(p, '../escape')).rejects.toThrow('lower-case letters, digits and dashes');
    } finally {
      if (before !== undefined) process.env.UPDATE_SCREENSHOTS = before;
    }
  });
});
