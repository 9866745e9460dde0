// Chromium emulating a Pixel 8 on Android 14 (Chrome's reduced UA says "Android 10; K"):
// the browser SDK reads navigator.userAgentData's high-entropy values and sends them with
// init; then the staff session page shows the model and OS version they carried.
// Prints one JSON line: {sent, uuid, shown, errors}.
//
// Config (JSON in ATRACK_BROWSER_CONFIG): {baseUrl, publicKey, username, password,
// sessionsUrl, chromium, artifacts}
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const config = JSON.parse(process.env.ATRACK_BROWSER_CONFIG);
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const REDUCED_UA = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) '
  + 'Chrome/124.0.0.0 Mobile Safari/537.36';
const METADATA = {
  brands: [{ brand: 'Google Chrome', version: '124' }, { brand: 'Chromium', version: '124' }],
  fullVersionList: [
    { brand: 'Google Chrome', version: '124.0.6367.179' },
    { brand: 'Chromium', version: '124.0.6367.179' },
  ],
  platform: 'Android', platformVersion: '14.0.0', architecture: '', model: 'Pixel 8', mobile: true,
};

async function sendInit(page) {
  const sent = [];
  page.on('request', (request) => {
    const body = request.postData() || '';
    if (body.includes('userAgentData')) sent.push(body);
  });
  await page.route(`${config.baseUrl}/hints-test`, (route) => route.fulfill({
    contentType: 'text/html',
    body: '<!doctype html><title>hints</title><script src="/sdk/atrack.js"></script>',
  }));
  await page.goto(`${config.baseUrl}/hints-test`);
  const uuid = await page.evaluate(async ({ publicKey, endpoint }) => {
    const sdk = createATrackSdk({ publicKey, endpoint, synchronous: true });
    await sdk.init();
    return sdk.getUserUuid();
  }, { publicKey: config.publicKey, endpoint: config.baseUrl });
  const body = sent.length ? JSON.parse(sent[0]) : null;
  const init = body && (body.context ? body : (body.items || []).find((i) => i.context));
  return { uuid, sent: init ? init.context.client.userAgentData : null };
}

async function readSession(page, uuid) {
  await page.goto(`${config.baseUrl}/admin/login/?next=/admin/`);
  await page.fill('#id_username', config.username);
  await page.fill('#id_password', config.password);
  await Promise.all([page.waitForURL(/\/admin\/$/), page.click('input[type=submit]')]);
  await page.goto(`${config.baseUrl}${config.sessionsUrl}?q=${uuid}`);
  await Promise.all([page.waitForURL(/\/session\/[^/]+\/\d+\/$/), page.click('#result_list tbody tr a')]);
  const row = async (label) => ((await page.locator('tr', { has: page.locator(`th:text-is("${label}")`) })
    .locator('td').first().textContent()) || '').trim();
  const shown = {
    os: await row('Operating system'),
    model: await row('Brand and model'),
    browser: await row('Browser'),
    device: await row('Device class'),
  };
  await page.screenshot({ path: join(config.artifacts, 'client-hints-session.png'), fullPage: true });
  return shown;
}

const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args: FLAGS });
const errors = [];
try {
  mkdirSync(config.artifacts, { recursive: true });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(String(error)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setUserAgentOverride', { userAgent: REDUCED_UA, userAgentMetadata: METADATA });
  const { uuid, sent } = await sendInit(page);
  const shown = await readSession(page, uuid);
  console.log(JSON.stringify({ uuid, sent, shown, errors }));
} finally {
  await browser.close();
}
