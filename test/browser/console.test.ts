/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The console in headless chromium against the real local platform (api + serve apps + console
 * build on one random port, DynamoDB Local): an owner, an advertiser and an operator run the
 * whole business through the pages, in English and Chinese, with axe-core and the keyboard.
 * Screenshots of each main page go to test/browser/screenshots/ (ignored by git).
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { en, zh } from '../../console/src/messages.js';
import type { Config } from '../../functions/config.js';
import { adminKey, movableClock, testDeps } from '../support/deps.js';
import { BROWSER_UA } from '../support/http.js';
import { launchChromium, seriousViolations, startConsoleServer, type ConsoleServer } from './server.js';

const SHOTS = new URL('./screenshots/', import.meta.url).pathname;
const PASSWORD = 'correct horse battery staple';
/** The deployment's currency (config CURRENCY's default), as an English-speaking viewer reads it. */
const cny = (units: number) => new Intl.NumberFormat('en', { style: 'currency', currency: 'CNY' }).format(units);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

let server: ConsoleServer;
let browser: Browser;
let operatorKey: string;
let config: Config;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The browser runs on the wall clock (date pickers, report ranges): so does the platform here.
  const deps = await testDeps({ clock: movableClock(new Date()) });
  config = deps.config;
  operatorKey = await adminKey(deps);
  server = await startConsoleServer(deps);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function person(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

const go = (page: Page, path: string) => page.goto(`${server.url}/console/${path}`);

/** Waits until the locator's text contains `text` (the page loads data after navigation), then returns it. */
async function textOf(locator: Locator, text: string): Promise<string> {
  await locator.filter({ hasText: text }).first().waitFor();
  return (await locator.filter({ hasText: text }).first().innerText()).trim();
}

/** axe-core finds nothing serious or critical, and a screenshot is kept for review. */
async function checkPage(page: Page, name: string): Promise<void> {
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

async function signUp(page: Page, role: 'advertiser' | 'publisher', name: string): Promise<string> {
  const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
  await go(page, 'signup');
  await page.getByLabel(role === 'advertiser' ? en.roleAdvertiser : en.rolePublisher, { exact: true }).check();
  await page.getByLabel(en.name, { exact: true }).fill(name);
  await page.getByLabel(en.email, { exact: true }).fill(email);
  await page.getByLabel(en.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: en.signUp }).click();
  await page.getByRole('button', { name: en.signOut }).waitFor();
  return email;
}

async function fillAudience(page: Page, shares: { dimension: string; value: string; label: string; percent: number }[]): Promise<void> {
  for (const s of shares) {
    await page.getByLabel(`${en.addRow} (${s.dimension})`, { exact: true }).selectOption(s.value);
    await page.getByLabel(`${s.label} ${en.share}`, { exact: true }).fill(String(s.percent));
  }
}

/** What a test run leaves for the next test: ids and the pages of each person. */
const world = {} as {
  owner: Page;
  ownerEmail: string;
  advertiser: Page;
  operator: Page;
  accountUrl: string;
  orderId: string;
  campaignUrl: string;
  unitId: string;
};

describe('console', { timeout: 300_000 }, () => {
  test('sign up, sign out and sign in again with the password', async () => {
    world.owner = await person();
    world.ownerEmail = await signUp(world.owner, 'publisher', 'Owner Co');
    await world.owner.getByRole('heading', { name: en.accountsTitle }).waitFor();
    await checkPage(world.owner, 'owner-accounts-empty');

    await world.owner.getByRole('button', { name: en.signOut }).click();
    await world.owner.getByRole('heading', { name: en.signIn }).waitFor();
    await checkPage(world.owner, 'sign-in');
    // Signed out: the console's own pages send the person back to sign in.
    await go(world.owner, 'accounts');
    await world.owner.getByRole('heading', { name: en.signIn }).waitFor();

    await world.owner.getByLabel(en.email, { exact: true }).fill(world.ownerEmail);
    await world.owner.getByLabel(en.password, { exact: true }).fill('not the password at all');
    await world.owner.getByRole('button', { name: en.signIn, exact: true }).click();
    await world.owner.getByRole('alert').waitFor();
    await world.owner.getByLabel(en.password, { exact: true }).fill(PASSWORD);
    await world.owner.getByRole('button', { name: en.signIn, exact: true }).click();
    await world.owner.getByRole('heading', { name: en.accountsTitle }).waitFor();
    expect(await world.owner.locator('header').innerText()).toContain(world.ownerEmail);

    world.advertiser = await person();
    await signUp(world.advertiser, 'advertiser', 'Acme Tea');
    await world.advertiser.getByRole('heading', { name: en.marketplaceTitle }).waitFor();

    world.operator = await person();
    await go(world.operator, 'signin');
    await world.operator.getByText(en.orApiKey).click();
    await world.operator.getByLabel(en.apiKey, { exact: true }).fill(operatorKey);
    await world.operator.getByRole('button', { name: en.signInWithKey }).click();
    await world.operator.getByRole('heading', { name: en.queuesTitle }).waitFor();
  });

  test('an owner lists an account and a slot, an advertiser books it, the owner accepts and publishes, the advertiser confirms, and both see the right balances', async () => {
    const { owner, advertiser, operator } = world;
    // The operator deposits 5 000 for the advertiser.
    const advertiserId = ((await (await advertiser.request.get(`${server.url}/v1/me`)).json()) as { id: string }).id;
    await go(operator, 'deposits');
    await operator.getByLabel(en.advertiserId, { exact: true }).fill(advertiserId);
    await operator.getByLabel(en.amount, { exact: true }).fill('5000');
    await operator.getByLabel(en.reference, { exact: true }).fill(`bank-${advertiserId}`);
    await operator.getByRole('button', { name: en.newDeposit }).click();
    await operator.getByRole('status').filter({ hasText: en.saved }).waitFor();
    await checkPage(operator, 'operator-deposits');

    // The owner lists an account; the sums of the distributions gate the button.
    await go(owner, 'accounts');
    await owner.getByLabel(en.handle, { exact: true }).fill('teaweekly');
    await owner.getByLabel(en.name, { exact: true }).fill('Tea Weekly');
    await owner.getByLabel(en.followers, { exact: true }).fill('20000');
    await owner.getByLabel(en.averageReads, { exact: true }).fill('5000');
    await fillAudience(owner, [
      { dimension: en.dimGender, value: 'female', label: en.g_female, percent: 60 },
      { dimension: en.dimGender, value: 'male', label: en.g_male, percent: 30 },
      { dimension: en.dimAgeBand, value: '25-34', label: en['a_25-34'], percent: 100 },
      { dimension: en.dimRegion, value: 'CN-SH', label: en['r_CN-SH'], percent: 100 },
      { dimension: en.dimInterests, value: 'cooking', label: en.i_cooking, percent: 40 },
    ]);
    expect(await owner.getByRole('button', { name: en.newAccount }).isDisabled()).toBe(true); // gender adds up to 90 %
    await owner.getByLabel(`${en.g_male} ${en.share}`, { exact: true }).fill('40');
    await owner.getByRole('button', { name: en.newAccount }).click();
    await owner.getByRole('link', { name: 'Tea Weekly' }).click();
    await owner.getByRole('heading', { name: 'Tea Weekly' }).waitFor();
    world.accountUrl = owner.url();
    expect(await owner.getByText(en.ver_unverified).count()).toBeGreaterThan(0);

    // A slot for tomorrow: an ad card committing 1 000 reads, 1 000 CNY.
    await owner.getByLabel(en.publishDate, { exact: true }).fill(tomorrow());
    await owner.getByLabel(en.format, { exact: true }).selectOption('ad_card');
    await owner.getByLabel(en.committedReads, { exact: true }).fill('1000');
    await owner.getByLabel(en.price, { exact: true }).fill('1000');
    await owner.getByRole('button', { name: en.newSlots }).click();
    await owner
      .getByRole('status')
      .filter({ hasText: en.slotsCreated.replace('{n}', '1') })
      .waitFor();
    await textOf(owner.locator('.calendar li.slot'), cny(1000));
    // An ad unit, with the code to paste.
    await owner.getByLabel(en.floorCpm, { exact: true }).fill('1'); // 1 per 1 000: the campaign's bid clears it
    await owner.getByRole('button', { name: en.newAdUnit }).click();
    world.unitId = (await owner.locator('article.card code').first().innerText()).trim();
    expect(await owner.getByLabel(en.codeToPaste, { exact: true }).inputValue()).toContain(world.unitId);
    await checkPage(owner, 'owner-account');

    // The advertiser finds it in the marketplace (the search snapshot refreshes within a second or so).
    await go(advertiser, 'marketplace');
    await advertiser.getByLabel(en.category, { exact: true }).selectOption('food');
    await advertiser.getByLabel(en.dimRegion, { exact: true }).selectOption('CN-SH');
    const found = advertiser.getByRole('link', { name: 'Tea Weekly' });
    for (let attempt = 0; attempt < 30 && (await found.count()) === 0; attempt += 1) {
      await advertiser.getByRole('button', { name: en.search }).click();
      await advertiser.waitForTimeout(500);
    }
    await checkPage(advertiser, 'advertiser-marketplace');
    await found.click();
    await advertiser.getByRole('heading', { name: 'Tea Weekly' }).waitFor();
    await textOf(advertiser.locator('figure.bars'), `${en.g_female} 60%`);
    await advertiser.getByRole('button', { name: new RegExp(`^${en.book} slot_`) }).click();
    await textOf(advertiser.locator('p.help'), cny(1000)); // the escrow, before booking
    await checkPage(advertiser, 'advertiser-account-booking');
    await advertiser.getByLabel(en.title, { exact: true }).fill('Spring oolong');
    await advertiser.getByLabel(en.copy, { exact: true }).fill('Try the new oolong');
    await advertiser.getByLabel(en.landingUrl, { exact: true }).fill('https://tea.example.com/');
    await advertiser.getByRole('button', { name: en.book, exact: true }).click();
    await advertiser.getByRole('heading', { name: new RegExp(`^${en.order} ord_`) }).waitFor();
    world.orderId = advertiser.url().split('/').pop()!;
    expect(await textOf(advertiser.locator('dl.facts dd.state'), en.st_requested)).toBe(en.st_requested);
    expect(await advertiser.locator('dl.facts dd').nth(2).innerText()).toBe(cny(1000)); // held in escrow
    await go(advertiser, 'wallet');
    await textOf(advertiser.locator('dl.balances > div'), en.available);
    expect(await advertiser.locator('dl.balances > div', { hasText: en.available }).locator('dd').innerText()).toBe(cny(4000));
    expect(await advertiser.locator('dl.balances > div', { hasText: en.held }).locator('dd').innerText()).toBe(cny(1000));

    // The owner accepts (an ad card goes straight to scheduled) and publishes with proof.
    await go(owner, 'orders');
    await owner.getByRole('heading', { name: en.ordersInbox }).waitFor();
    await textOf(owner.locator('tbody tr'), en.respondBy.split(' ')[0]!);
    await checkPage(owner, 'owner-orders');
    await owner.getByRole('link', { name: world.orderId }).click();
    await owner.getByRole('button', { name: en.act_accept }).click();
    await textOf(owner.locator('dl.facts dd.state'), en.st_scheduled);
    await owner.getByLabel(en.postUrl, { exact: true }).fill('https://mp.example.com/s/abc');
    await owner.getByLabel(en.reads, { exact: true }).fill('1000');
    await owner.getByRole('button', { name: en.act_publish }).click();
    await textOf(owner.locator('dl.facts dd.state'), en.st_published);
    await checkPage(owner, 'owner-order');

    // The advertiser confirms; the order completes.
    await go(advertiser, `orders/${world.orderId}`);
    await advertiser.getByRole('button', { name: en.act_confirm }).click();
    await textOf(advertiser.locator('dl.facts dd.state'), en.st_completed);
    expect(await advertiser.locator('.timeline li').count()).toBe(4); // booked, scheduled, published, completed
    await checkPage(advertiser, 'advertiser-order');

    // Money: the advertiser paid 1 000; the owner earned it less the 10 % platform fee.
    await go(advertiser, 'wallet');
    await textOf(advertiser.locator('dl.balances > div', { hasText: en.held }).locator('dd'), cny(0));
    expect(await advertiser.locator('dl.balances > div', { hasText: en.available }).locator('dd').innerText()).toBe(cny(4000));
    await textOf(advertiser.locator('tbody tr'), en.cause_order);
    await checkPage(advertiser, 'advertiser-wallet');
    await go(owner, 'earnings');
    expect(await textOf(owner.locator('dl.balances > div', { hasText: en.cleared }).locator('dd'), cny(900))).toBe(cny(900));
    expect(await owner.locator('dl.balances > div', { hasText: en.pending }).locator('dd').innerText()).toBe(cny(0));
    await checkPage(owner, 'owner-earnings');
  });

  test('an advertiser creates a campaign with a creative, the operator approves it, and the campaign activates with its budget held', async () => {
    const { advertiser, operator } = world;
    await go(advertiser, 'campaigns/new');
    await advertiser.getByLabel(en.name, { exact: true }).fill('Spring tea campaign');
    await advertiser.getByLabel(en.bid, { exact: true }).fill('0.5');
    await advertiser.getByLabel(en.totalBudget, { exact: true }).fill('100');
    await advertiser.getByRole('button', { name: en.addGroup }).click();
    await advertiser.getByLabel(en.values, { exact: true }).fill('food, cooking');
    await advertiser.getByLabel(en.attribute, { exact: true }).selectOption('accountCategory');
    await advertiser.getByLabel(en.values, { exact: true }).fill('food');
    await checkPage(advertiser, 'advertiser-new-campaign');
    await advertiser.getByRole('button', { name: en.create }).click();
    await advertiser.getByRole('heading', { name: 'Spring tea campaign' }).waitFor();
    world.campaignUrl = advertiser.url();
    await advertiser.getByLabel(en.title, { exact: true }).fill('Oolong season');
    await advertiser.getByLabel(en.body, { exact: true }).fill('Fresh leaves, hand rolled');
    await advertiser.getByLabel(en.imageUrl, { exact: true }).fill('https://tea.example.com/oolong.png');
    await advertiser.getByLabel(en.landingUrl, { exact: true }).fill('https://tea.example.com/');
    await advertiser.getByLabel(en.callToAction, { exact: true }).fill('Buy');
    await advertiser.getByRole('button', { name: en.newCreative }).click();
    await textOf(advertiser.locator('tbody tr'), en.rev_pending);

    await go(operator, 'queues');
    await operator.getByRole('button', { name: `${en.approve} Oolong season` }).click();
    await operator.getByRole('status').filter({ hasText: en.saved }).waitFor();
    await checkPage(operator, 'operator-queues');

    await advertiser.reload();
    await textOf(advertiser.locator('tbody tr'), en.rev_approved);
    await advertiser.getByRole('button', { name: en.activate }).click();
    await textOf(advertiser.locator('dl.facts dd.state'), en.cmp_active);
    const fact = (name: string) => advertiser.locator('dl.facts dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
    expect(await textOf(fact(en.remaining), cny(100))).toBe(cny(100));
    expect(await fact(en.spent).innerText()).toBe(cny(0));
    await checkPage(advertiser, 'advertiser-campaign');
    await go(advertiser, 'wallet');
    // 4 000 available before; the campaign's 100 is now held.
    expect(await textOf(advertiser.locator('dl.balances > div', { hasText: en.available }).locator('dd'), cny(3900))).toBe(cny(3900));
  });

  test('a report chart renders with the campaign’s delivery', async () => {
    const { advertiser } = world;
    // A reader's page asks for an ad on the owner's unit, sees it and clicks it.
    type Ad = { impressionUrl: string; clickUrl: string };
    let ad: Ad | null = null;
    let reason = '';
    for (let attempt = 0; attempt < 40 && !ad; attempt += 1) {
      const res = await fetch(`${server.url}/v1/decisions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': BROWSER_UA },
        body: JSON.stringify({ adUnitId: world.unitId, viewer: { id: `reader-${attempt}` } }),
      });
      const answer = (await res.json()) as { ad: Ad | null; reason?: string };
      ({ ad } = answer);
      reason = `${res.status} ${answer.reason ?? JSON.stringify(answer)}`;
      if (!ad) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ad, reason).not.toBeNull();
    const local = (url: string) => {
      const u = new URL(url, server.url);
      return `${server.url}${u.pathname}${u.search}`;
    };
    // As a reader's browser would: its user agent, and the ad on screen a moment before it counts (MIN_IMPRESSION_DELAY_MS).
    await new Promise((r) => setTimeout(r, 2 * config.MIN_IMPRESSION_DELAY_MS));
    expect((await fetch(local(ad!.impressionUrl), { headers: { 'user-agent': BROWSER_UA } })).status).toBe(200);
    expect((await fetch(local(ad!.clickUrl), { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } })).status).toBe(302);

    await go(advertiser, 'reports');
    await advertiser.getByLabel(en.dimension, { exact: true }).selectOption({ label: `${en.dim_campaign}: Spring tea campaign` });
    const total = advertiser.locator('tbody tr', { hasText: en.total }).locator('td');
    // Counters reach the table within a flush or a posting interval: ask again, as a person would, until the delivery shows.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await advertiser.getByRole('button', { name: en.show }).click();
      await advertiser.locator('.chart canvas').waitFor();
      await new Promise((r) => setTimeout(r, 1_500));
      if (
        (await total
          .nth(1)
          .innerText()
          .catch(() => '')) === '1'
      )
        break;
    }
    await textOf(total.nth(1), '1');
    expect(await total.nth(1).innerText()).toBe('1'); // impressions
    expect(await total.nth(2).innerText()).toBe('1'); // clicks
    // One click, charged at the second price: more than nothing, at most the 0.50 bid.
    const spend = await total.nth(4).innerText();
    const spendUnits = Number(spend.replace(/[^0-9.]/g, ''));
    expect(spendUnits > 0 && spendUnits <= 0.5, spend).toBe(true);
    // The chart drew its series: the canvas is not blank.
    const painted = await advertiser.locator('.chart canvas').evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0) coloured += 1;
      return coloured;
    });
    expect(painted).toBeGreaterThan(100);
    await checkPage(advertiser, 'advertiser-reports');
    // The campaign's own budget: spent is what was billed (the report's spend, once the click's posting
    // interval has ended and been posted: reload until it shows, as a person would), and left is 100 − spent.
    await advertiser.goto(world.campaignUrl);
    const fact = (name: string) => advertiser.locator('dl.facts dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
    const spentShown = async () => {
      await fact(en.spent).waitFor();
      return Number((await fact(en.spent).innerText()).replace(/[^0-9.]/g, ''));
    };
    for (let attempt = 0; attempt < 20 && (await spentShown()) !== spendUnits; attempt += 1) {
      await new Promise((r) => setTimeout(r, 1_500));
      await advertiser.reload();
    }
    const spentUnits = await spentShown();
    expect(spentUnits).toBe(spendUnits);
    expect(await fact(en.remaining).innerText()).toBe(cny(100 - spentUnits));
  });

  test('switching to Chinese changes every visible string, and the choice is remembered', async () => {
    const { advertiser, owner } = world;
    const english = Object.entries(en)
      .filter(([key, text]) => /[A-Za-z]{3}/.test(text) && !text.includes('{') && !zh[key as keyof typeof zh].includes(text))
      .map(([, text]) => text);
    // Words the test's own data put on the page, and the few Latin words the Chinese text keeps.
    const data =
      /Tea Weekly|Owner Co|Acme Tea|Spring tea campaign|Spring oolong|Try the new oolong|Oolong season|Fresh leaves, hand rolled|teaweekly|Placard|English|CSV|CPC|CPM|API|Buy|https?:\/\/\S+|\S+@\S+|\b[a-z]+[_-][0-9A-Za-z_-]+|\b[A-Z]{3}\b|Asia\/\w+|UTC/g;
    const check = async (page: Page, path: string, heading: string, shot: string) => {
      await go(page, path);
      await page.getByRole('heading', { name: heading }).first().waitFor();
      await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
      const text = await page.locator('body').innerText();
      expect(
        english.filter((s) => text.includes(s)),
        `English strings on ${path}`,
      ).toEqual([]);
      expect(text.replace(data, ' ').match(/[A-Za-z]{3,}/g) ?? [], `Latin words on ${path}`).toEqual([]);
      await checkPage(page, shot);
    };
    await go(advertiser, 'marketplace');
    await advertiser.getByLabel(en.language, { exact: true }).selectOption('zh-CN');
    await advertiser.getByRole('heading', { name: zh.marketplaceTitle }).waitFor();
    await check(advertiser, 'marketplace', zh.marketplaceTitle, 'zh-advertiser-marketplace'); // a reload: remembered
    await check(advertiser, `orders/${world.orderId}`, `${zh.order} ${world.orderId}`, 'zh-advertiser-order');
    await check(advertiser, 'wallet', zh.walletTitle, 'zh-advertiser-wallet');
    await check(advertiser, world.campaignUrl.split('/console/')[1]!, 'Spring tea campaign', 'zh-advertiser-campaign');
    await check(advertiser, 'match', zh.matchTitle, 'zh-advertiser-match');
    await go(owner, 'accounts');
    await owner.getByLabel(en.language, { exact: true }).selectOption('zh-CN');
    await check(owner, world.accountUrl.split('/console/')[1]!, 'Tea Weekly', 'zh-owner-account');
    await check(owner, 'orders', zh.ordersInbox, 'zh-owner-orders');
    await check(owner, 'earnings', zh.earningsTitle, 'zh-owner-earnings');
    // Back to English for the tests that follow.
    await owner.getByLabel(zh.language, { exact: true }).selectOption('en');
    await advertiser.getByLabel(zh.language, { exact: true }).selectOption('en');
    await advertiser
      .getByRole('heading', { name: en.campaignsTitle })
      .or(advertiser.getByRole('heading', { name: en.matchTitle }))
      .first()
      .waitFor();
  });

  test('a person of another tenant sees none of it', async () => {
    const rival = await person();
    await signUp(rival, 'advertiser', 'Rival Ads');
    await go(rival, 'orders');
    await rival.getByRole('heading', { name: en.ordersTitle }).waitFor();
    await rival.getByText(en.none).waitFor();
    await go(rival, `orders/${world.orderId}`);
    await rival.getByRole('alert').waitFor();
    await go(rival, world.campaignUrl.split('/console/')[1]!);
    await rival.getByRole('alert').waitFor();
    await go(rival, 'campaigns');
    await rival.getByText(en.none).waitFor();
    await go(rival, 'wallet');
    await textOf(rival.locator('dl.balances > div', { hasText: en.available }).locator('dd'), cny(0));
    expect(await rival.locator('body').innerText()).not.toMatch(/Spring|oolong|Tea Weekly/);

    const rivalOwner = await person();
    await signUp(rivalOwner, 'publisher', 'Rival Media');
    await rivalOwner.getByRole('heading', { name: en.accountsTitle }).waitFor();
    await rivalOwner.getByText(en.none).first().waitFor();
    await go(rivalOwner, world.accountUrl.split('/console/')[1]!);
    await rivalOwner.getByRole('alert').waitFor();
    await go(rivalOwner, 'earnings');
    expect(await textOf(rivalOwner.locator('dl.balances > div', { hasText: en.cleared }).locator('dd'), cny(0))).toBe(cny(0));
    await go(rivalOwner, 'orders');
    await rivalOwner.getByText(en.none).waitFor();
    expect(await rivalOwner.locator('body').innerText()).not.toContain(world.orderId);
  });

  test('every control of the main pages is reachable with the keyboard', async () => {
    const reachable = async (page: Page, path: string) => {
      await go(page, path);
      await page.locator('main h1').first().waitFor();
      await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
      const total = await page.evaluate(() => {
        const all = [
          ...document.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, summary'),
        ];
        // Tab reaches one radio of a group (the arrows move within it).
        // Controls in a closed <details> are reached after opening it (its summary is counted).
        const visible = all.filter(
          (el) =>
            el.getClientRects().length > 0 &&
            !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked) &&
            !(el.tagName !== 'SUMMARY' && el.closest('details:not([open])')),
        );
        visible.forEach((el, i) => {
          el.dataset.kb = String(i);
        });
        return visible.length;
      });
      const seen = new Set<string>();
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      // Scrollable boxes are focusable too, so allow for more stops than controls.
      for (let i = 0; i < 2 * total + 10 && seen.size < total; i += 1) {
        await page.keyboard.press('Tab');
        const kb = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kb);
        if (kb !== undefined) seen.add(kb);
      }
      const missed = await page.evaluate(
        (reached) =>
          [...document.querySelectorAll<HTMLElement>('[data-kb]')].filter((el) => !reached.includes(el.dataset.kb!)).map((el) => el.outerHTML.slice(0, 120)),
        [...seen],
      );
      expect(missed, `controls not reached by Tab on ${path}`).toEqual([]);
    };
    await reachable(world.advertiser, 'marketplace');
    await reachable(world.advertiser, 'campaigns/new');
    await reachable(world.owner, world.accountUrl.split('/console/')[1]!);
    await reachable(world.operator, 'queues');
  });

  test('the operator’s pages pass axe-core', async () => {
    await go(world.operator, 'revenue');
    await world.operator.getByRole('heading', { name: en.revenueTitle }).waitFor();
    await checkPage(world.operator, 'operator-revenue');
    await go(world.advertiser, 'match');
    await checkPage(world.advertiser, 'advertiser-match');
    await go(world.owner, 'reports');
    await checkPage(world.owner, 'owner-reports');
  });
});
