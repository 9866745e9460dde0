"use strict";
// The documentation's JavaScript (browser) examples, run as written in Chromium on a page
// served by the service, with the SDK the service serves at /sdk/atrack.js: only the key
// changes (the endpoint defaults to where the SDK was loaded from).
const fs = require("node:fs");
const { env, launch } = require("./common.js");

const snippets = JSON.parse(fs.readFileSync(env("ATRACK_SNIPPETS_FILE"), "utf8"));
const key = env("ATRACK_PUBLIC_KEY");
const pageUrl = env("ATRACK_PAGE_URL");

function program(parts) {
  const body = parts.join("\n").split('"your_public_key"').join(JSON.stringify(key));
  return `(async () => {\n${body}\n})()`;
}

async function run(browser, parts) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on("console", (message) => logs.push(message.text()));
  page.on("pageerror", (error) => logs.push("pageerror: " + error.message));
  await page.goto(pageUrl, { referer: "https://google.com/" });
  const result = await page.evaluate(program(parts));
  await context.close();
  return { result, logs };
}

async function main() {
  const browser = await launch();
  try {
    const realLife = await run(browser, [
      snippets.real_life_1_init,
      "const firstUuid = sdk.getUserUuid();",
      snippets.real_life_2_read_uuid,
      snippets.real_life_3_track,
      "return { firstUuid, generatedUuid, savedUuid, href: window.location.href };",
    ]);
    const reference = await run(browser, [
      snippets.init,
      snippets.set_attributes,
      snippets.track,
      "return { resultUuid: result.uuid, sdkUuid: sdk.getUserUuid(), href: window.location.href };",
    ]);
    console.log(JSON.stringify({ realLife, reference }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
