import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page, type Response } from 'playwright-core';
import type { TestContext } from 'vitest';
import { chromiumPath } from './chromium.js';
import { atFileEnd } from './file-end.js';
import { needs } from './services.js';

/*
 * Pages in a real browser: Debian's headless Chromium (chromium.ts) driven by
 * playwright-core, for the server-rendered pages a guest opens from a message.
 *
 *   const page = await openPage(ctx, { locale: 'he' });   // a phone; skips the test without Chromium
 *   await page.goto(`${s.url}/communications/preferences?t=${token}`);
 *   await expectAccessible(page, { lang: 'he' });          // axe-core's WCAG 2.2 AA rules + keyboard focus
 *   await tabTo(page, page.getByRole('button', { name: 'Save' }));
 *   await throttle3G(page);                                // DevTools' "Slow 3G" and a 4× slower CPU
 *   await screenshot(page, 'preferences-he');              // docs/screenshots/ with UPDATE_SCREENSHOTS=1
 *
 * One browser per test file (launched by the first page, closed when the file
 * ends), a context of its own per test: cookies, cache and emulation never
 * leak from one test to the next, for a fraction of a browser's start. When the test ends its context is closed, and
 * the test fails if the page asked for anything not on 127.0.0.1 (a font, a
 * script or an image from elsewhere: a guest's phone would wait for it, and
 * it leaks that the guest opened the page), threw an uncaught error, or had
 * something refused by its Content-Security-Policy.
 */

/** A phone: the CSS size of a common 6.1" handset, its pixel density, touch and a mobile viewport meta honoured. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;

export interface PageOptions {
  /** The browser's language (navigator.language and Accept-Language), e.g. 'en', 'he'. Default 'en'. */
  locale?: string;
  /** false: a context with JavaScript off, as the guest pages must work without it. Default true. */
  javaScript?: boolean;
}

let launched: Promise<Browser> | null = null;
/** What each open page did that fails its test, and whether it runs scripts (axe needs them). */
const watched = new WeakMap<Page, { outside: string[]; errors: string[]; javaScript: boolean }>();

function browser(): Promise<Browser> {
  if (launched) return launched;
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found (CHROMIUM_PATH, or Debian’s chromium package)');
  const starting = chromium.launch({
    executablePath,
    headless: true,
    // Playwright adds --no-sandbox (root in a container has no user namespace for Chromium's sandbox),
    // --disable-dev-shm-usage and no background networking. This makes every host name but localhost
    // unresolvable, so a page that points elsewhere fails here instead of reaching out.
    args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
  });
  launched = starting;
  atFileEnd(async () => {
    launched = null;
    await (await starting.catch(() => null))?.close();
  });
  return starting;
}

const LOCAL = new Set(['127.0.0.1', '[::1]', 'localhost']);
const isLocal = (url: string) => {
  const u = new URL(url);
  return u.protocol === 'data:' || u.protocol === 'about:' || u.protocol === 'blob:' || LOCAL.has(u.hostname);
};

/**
 * A new page in a context of its own, as a phone (PHONE) in `locale`. Skips the test (counted in the run's
 * last line) when the run found no Chromium; REQUIRE_SERVICES=1 makes that an error before anything runs.
 */
export async function openPage(ctx: TestContext, opts: PageOptions = {}): Promise<Page> {
  needs(ctx, 'chromium');
  const javaScript = opts.javaScript ?? true;
  const context = await (await browser()).newContext({ ...PHONE, locale: opts.locale ?? 'en', javaScriptEnabled: javaScript });
  const page = await context.newPage();
  const seen = { outside: [] as string[], errors: [] as string[], javaScript };
  watched.set(page, seen);
  context.on('request', (r) => {
    if (!isLocal(r.url())) seen.outside.push(`${r.method()} ${r.url()}`);
  });
  page.on('pageerror', (e) => seen.errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) seen.errors.push(`CSP: ${m.text()}`);
  });
  ctx.onTestFinished(async () => {
    const problems = takeProblems(page);
    await context.close();
    if (problems.length) throw new Error(`the page ${problems.length === 1 ? 'did' : 'did these'}:\n  ${problems.join('\n  ')}`);
  });
  return page;
}

/**
 * What the page did so far that fails its test (a request outside 127.0.0.1, an uncaught error, something its
 * CSP refused), taken: the harness's own tests look at them, and the test then does not fail for them.
 */
export function takeProblems(page: Page): string[] {
  const seen = watched.get(page);
  if (!seen) return [];
  const problems = [...seen.outside.map((r) => `asked for something outside 127.0.0.1: ${r}`), ...seen.errors];
  seen.outside.length = 0;
  seen.errors.length = 0;
  return problems;
}

/**
 * Runs `act` (a tap on a link, Enter on a submit button) and waits for the page it leads to: its response, and
 * the new document loaded. A form that posts to its own URL leaves page.url() as it was, so waiting for a URL
 * would return at once.
 */
export async function navigates(page: Page, act: () => Promise<unknown>, timeout = 30_000): Promise<Response> {
  const main = page.mainFrame();
  const response = page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === main, { timeout });
  const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === main, timeout });
  await act();
  const [res] = await Promise.all([response, committed]);
  await page.waitForLoadState('load', { timeout });
  return res;
}

/** Presses Tab until `target` has the focus, as a keyboard user would get there; fails after `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 30): Promise<void> {
  const element = await target.elementHandle({ timeout: 5_000 });
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await element.evaluate((e) => e === (globalThis as any).document.activeElement)) return;
  }
  throw new Error(`${max} presses of Tab never reached ${target.toString()}`);
}

/*
 * Throttling, through the Chrome DevTools Protocol. The network presets are
 * Chrome DevTools' own (front_end/core/sdk/NetworkManager.ts, copied by
 * Puppeteer as PredefinedNetworkConditions): "Slow 3G" is ~400 kbit/s each way
 * with a 400 ms round trip, which DevTools multiplies by 5 because it delays
 * whole requests, not packets; "Fast 3G" (renamed "Slow 4G" in newer DevTools)
 * is ~1.4 Mbit/s down, ~675 kbit/s up, 150 ms × 3.75. The CPU is slowed 4×, what
 * Lighthouse uses for a mid-range phone.
 */
export const NETWORK = {
  slow3G: { downloadThroughput: ((500 * 1000) / 8) * 0.8, uploadThroughput: ((500 * 1000) / 8) * 0.8, latency: 400 * 5 },
  fast3G: { downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((750 * 1000) / 8) * 0.9, latency: 150 * 3.75 },
} as const;

/** Slows this page's network to a 3G preset (default "Slow 3G") and its CPU `cpu` times, for the rest of the test. */
export async function throttle3G(page: Page, preset: keyof typeof NETWORK = 'slow3G', cpu = 4): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...NETWORK[preset] });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A full-page PNG named `name`: into docs/screenshots/ when UPDATE_SCREENSHOTS=1 (to commit, after looking at
 * them), else into a temporary folder, so a test run never changes the checkout. Returns the file's path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`screenshot name "${name}": lower-case letters, digits and dashes`);
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO, 'docs', 'screenshots') : path.join(tmpdir(), 'tovplus-screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  return file;
}

/** axe-core's single-file build, evaluated in the page (an injected <script> would be refused by the pages' CSP). */
let axeSource: string | null = null;
const axe = () => (axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

/** WCAG 2.0–2.2 A and AA, and axe's best practices (landmarks, one main, headings in order, …). */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const RTL = new Set(['ar', 'dv', 'fa', 'he', 'ps', 'ur', 'yi']);

export interface AccessibilityOptions {
  /** The language the page must declare (its primary subtag), e.g. 'he'; its `dir` must then match it. */
  lang?: string;
}

/**
 * Fails (one error listing every problem) unless the page:
 * - declares its language and a direction that fits it (`<html lang dir>`);
 * - has exactly one h1;
 * - passes axe-core's WCAG 2.2 A/AA and best-practice rules: every form control and button has an accessible
 *   name (label), text and buttons have a contrast of at least 4.5:1 (3:1 large), targets are big enough, …;
 * - can be used from a keyboard: Tab reaches every control and link in turn, each showing a visible focus
 *   indicator (an outline or a shadow under :focus-visible), the form's submit button among them;
 * - fits a phone's width (nothing scrolls sideways).
 * Needs JavaScript in the context (axe runs in the page); the checks leave the page as it was, focus aside.
 */
export async function expectAccessible(page: Page, opts: AccessibilityOptions = {}): Promise<void> {
  if (watched.get(page)?.javaScript === false) throw new Error('expectAccessible: axe runs in the page; open it with JavaScript on');
  const problems: string[] = [];

  const doc = await page.evaluate(() => {
    const d = (globalThis as any).document;
    const html = d.documentElement;
    return {
      lang: String(html.getAttribute('lang') ?? ''),
      dir: String(html.getAttribute('dir') ?? ''),
      h1: Number(d.querySelectorAll('h1').length),
      scrollWidth: Number(d.scrollingElement.scrollWidth),
      // The layout viewport: a phone widens innerWidth to fit content that is too wide, this stays the screen's.
      width: Number(html.clientWidth),
    };
  });
  const primary = doc.lang.toLowerCase().split('-')[0]!;
  if (!doc.lang) problems.push('<html> has no lang');
  else if (opts.lang && primary !== opts.lang) problems.push(`<html lang="${doc.lang}">, expected ${opts.lang}`);
  const wantDir = RTL.has(primary) ? 'rtl' : 'ltr';
  if (doc.dir !== wantDir) problems.push(`<html dir="${doc.dir}"> for lang="${doc.lang}", expected dir="${wantDir}"`);
  if (doc.h1 !== 1) problems.push(`${doc.h1} h1 elements, expected exactly one`);
  if (doc.scrollWidth > doc.width) problems.push(`scrolls sideways on a ${doc.width}px-wide phone (content is ${doc.scrollWidth}px wide)`);

  await page.evaluate(axe());
  const violations = await page.evaluate(async (tags: string[]) => {
    const r = await (globalThis as any).axe.run((globalThis as any).document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return (r.violations as any[]).map((v) => ({
      id: String(v.id),
      impact: String(v.impact),
      help: String(v.help),
      nodes: (v.nodes as any[]).map(
        (n) => `${(n.target as string[]).join(' ')}${n.failureSummary ? ` (${String(n.failureSummary).replace(/\s+/g, ' ')})` : ''}`,
      ),
    }));
  }, AXE_TAGS);
  for (const v of violations) problems.push(`axe ${v.id} (${v.impact}): ${v.help}: ${v.nodes.join('; ')}`);

  problems.push(...(await keyboardProblems(page)));
  if (problems.length) throw new Error(`${page.url().replace(/\?.*/, '')} is not accessible:\n  ${problems.join('\n  ')}`);
}

/** Tab from the top of the page through every control and link: each must be reached and show a visible focus indicator. */
async function keyboardProblems(page: Page): Promise<string[]> {
  const focusables = await page.evaluate(() => {
    const d = (globalThis as any).document;
    // A native control taken out of the tab order (tabindex=-1) still counts: the keyboard must reach it too.
    const all = [...d.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])')] as any[];
    const usable = all.filter((e) => !e.disabled && e.getClientRects().length > 0);
    usable.forEach((e, i) => e.setAttribute('data-focus-order', String(i)));
    d.activeElement?.blur?.();
    return usable.map((e, i) => ({
      // Radios sharing a name are one stop: Tab reaches the group (its checked or first radio), arrows move inside it.
      group: e.type === 'radio' && e.name ? `radio:${String(e.form?.id ?? '')}:${String(e.name)}` : `control:${i}`,
      what: `${String(e.tagName).toLowerCase()}${e.type ? `[type=${String(e.type)}]` : ''} "${String(e.textContent || e.value || e.name || '')
        .trim()
        .slice(0, 40)}"`,
      submit: (e.tagName === 'BUTTON' && e.type === 'submit') || (e.tagName === 'INPUT' && e.type === 'submit'),
    }));
  });
  const problems: string[] = [];
  const reached = new Set<number>();
  const reachedGroups = new Set<string>();
  for (let i = 0; i < focusables.length; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const e = (globalThis as any).document.activeElement;
      if (!e || !e.hasAttribute('data-focus-order')) return null;
      const s = (globalThis as any).getComputedStyle(e);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      return { order: Number(e.getAttribute('data-focus-order')), visible: e.matches(':focus-visible') && (outline || s.boxShadow !== 'none') };
    });
    // Out of the page (past its last control), or on something that is not a control: the rest is unreached.
    if (!f || reached.has(f.order)) break;
    reached.add(f.order);
    reachedGroups.add(focusables[f.order]!.group);
    if (!f.visible) problems.push(`no visible focus indicator on ${focusables[f.order]!.what}`);
  }
  focusables.forEach((f, i) => {
    if (!reached.has(i) && !reachedGroups.has(f.group)) problems.push(`Tab never reaches ${f.submit ? 'the submit button ' : ''}${f.what}`);
  });
  // As it was: no marks, and no focus ring left for a screenshot to show.
  await page.evaluate(() => {
    const d = (globalThis as any).document;
    for (const e of d.querySelectorAll('[data-focus-order]')) e.removeAttribute('data-focus-order');
    d.activeElement?.blur?.();
  });
  return problems;
}
