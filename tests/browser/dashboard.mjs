// Drives Debian's chromium through the staff dashboard: log in, read the overview and one
// session, save screenshots. Prints one JSON line of what the pages showed; the pytest
// side (test_dashboard.py) compares it with the seeded data.
//
// Config comes as JSON in ATRACK_BROWSER_CONFIG:
//   {baseUrl, username, password, overviewUrl, sessionsUrl, sessionUuid, chromium, artifacts}
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const config = JSON.parse(process.env.ATRACK_BROWSER_CONFIG);
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const digits = (text) => Number((text || '').replace(/[^0-9]/g, ''));

async function logIn(page) {
  await page.goto(`${config.baseUrl}/admin/login/?next=/admin/`);
  await page.fill('#id_username', config.username);
  await page.fill('#id_password', config.password);
  await Promise.all([page.waitForURL(/\/admin\/$/), page.click('input[type=submit]')]);
}

async function readOverview(page) {
  await page.goto(config.baseUrl + config.overviewUrl);
  const stat = async (name) => digits(await page.textContent(`[data-stat="${name}"]`));
  const result = {
    sessions: await stat('sessions'),
    events: await stat('events'),
    bots: await stat('bots'),
    charts: await page.locator('svg.atrack-chart').count(),
    columns: await page.locator('svg.atrack-chart').first().locator('rect.bar').count(),
  };
  await page.screenshot({ path: join(config.artifacts, 'dashboard-overview.png'), fullPage: true });
  return result;
}

async function readSession(page) {
  await page.goto(config.baseUrl + config.sessionsUrl);
  await page.fill('#searchbar', config.sessionUuid);
  await Promise.all([page.waitForURL(/[?&]q=/), page.press('#searchbar', 'Enter')]);
  const listed = await page.locator('#result_list tbody tr').count();
  await page.screenshot({ path: join(config.artifacts, 'dashboard-sessions.png'), fullPage: true });
  await Promise.all([page.waitForURL(/\/session\/[^/]+\/\d+\/$/), page.click('#result_list tbody tr a')]);
  const field = async (name) => ((await page.textContent(`[data-field="${name}"]`)) || '').trim();
  const result = {
    listed,
    uuid: await field('uuid'),
    source: await field('source'),
    channel: await field('channel'),
    events: digits(await field('events')),
    timelineRows: await page.locator('#timeline tbody tr').count(),
  };
  await page.screenshot({ path: join(config.artifacts, 'dashboard-session.png') });
  await page.screenshot({ path: join(config.artifacts, 'dashboard-session-full.png'), fullPage: true });
  return result;
}

mkdirSync(config.artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args: FLAGS });
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(20000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  // A Content-Security-Policy violation is reported on the console.
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      errors.push(message.text());
    }
  });
  await logIn(page);
  const overview = await readOverview(page);
  const session = await readSession(page);
  console.log(JSON.stringify({ overview, session, errors }));
} finally {
  await browser.close();
}
