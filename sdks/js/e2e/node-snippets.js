"use strict";
// The documentation's Node.js examples, run as written against a live service: only the
// key changes (the endpoint comes from $ATRACK_ENDPOINT), and the placeholders the
// examples assume (req, savedUuid, knownUuid) are defined around them.
const fs = require("node:fs");
const { createATrackNodeSdk } = require("../src/node.js");
const { env } = require("./common.js");

const AsyncFunction = (async () => {}).constructor;
const snippets = JSON.parse(fs.readFileSync(env("ATRACK_SNIPPETS_FILE"), "utf8"));
const key = env("ATRACK_PUBLIC_KEY");

function program(parts) {
  return parts.join("\n").split('"your_public_key"').join(JSON.stringify(key));
}

async function main() {
  const knownUuid = env("ATRACK_KNOWN_UUID");
  const req = {
    url: "/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123",
    ip: "50.89.98.90",
    userUuid: knownUuid,
    headers: {
      referer: "https://google.com/",
      "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    },
  };
  const realLife = new AsyncFunction(
    "createATrackNodeSdk",
    "req",
    program([
      snippets.real_life_1_init,
      "const firstUuid = sdk.getUserUuid();",
      snippets.real_life_2_read_uuid,
      "const savedUuid = generatedUuid;",
      snippets.real_life_3_track,
      "return { firstUuid, generatedUuid };",
    ])
  );
  const reference = new AsyncFunction(
    "createATrackNodeSdk",
    "req",
    "knownUuid",
    program([
      snippets.init,
      snippets.set_attributes,
      snippets.track,
      "return { resultUuid: result.uuid, sdkUuid: sdk.getUserUuid() };",
    ])
  );
  const a = await realLife(createATrackNodeSdk, req);
  const b = await reference(createATrackNodeSdk, req, knownUuid);
  console.log(JSON.stringify({ realLife: a, reference: b }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
