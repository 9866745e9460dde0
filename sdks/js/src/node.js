"use strict";
// The Node.js entry: the same single-file SDK (createATrackNodeSdk for servers; the
// browser SDK, createATrackSdk, also works in Node with a memory queue).
module.exports = require("./atrack.js");
