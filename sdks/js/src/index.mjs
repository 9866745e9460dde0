// ES module entry: the CommonJS single-file SDK, re-exported by name.
import api from "./atrack.js";

export const createATrackSdk = api.createATrackSdk;
export const createATrackNodeSdk = api.createATrackNodeSdk;
export const clientHintsFrom = api.clientHintsFrom;
export const ATrackError = api.ATrackError;
export const VERSION = api.VERSION;
export default api;
