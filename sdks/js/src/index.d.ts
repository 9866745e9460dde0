// Type declarations of the A-TRACK SDK (browser and Node.js).

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Attributes = Record<string, Json>;

export interface UrlContext {
  href?: string;
  raw?: string;
  path?: string;
  query?: string;
  hash?: string;
  referer?: string;
  source_url?: string;
}

export interface ClientContext {
  ipAddress?: string;
  userAgent?: string;
  locale?: string;
  language?: string;
  languages?: string[];
  timezone?: string;
  timezoneOffsetMinutes?: number;
  platform?: string;
  screenWidth?: number;
  screenHeight?: number;
  viewportWidth?: number;
  viewportHeight?: number;
  pixelRatio?: number;
  colorDepth?: number;
  cookiesEnabled?: boolean;
  touchPoints?: number;
  deviceMemoryGb?: number;
  hardwareConcurrency?: number;
  connectionType?: string;
  connectionEffectiveType?: string;
  connectionDownlinkMbps?: number;
  connectionRttMs?: number;
  /** navigator.userAgentData's values (captured by the browser SDK). */
  userAgentData?: UserAgentData;
  /** The visitor's Sec-CH-UA-* request headers, by name (server SDKs: `clientHintsFrom`). */
  clientHints?: Record<string, string>;
  [key: string]: Json | undefined;
}

export interface UserAgentBrand {
  brand: string;
  version: string;
}

export interface UserAgentData {
  brands?: UserAgentBrand[];
  mobile?: boolean;
  platform?: string;
  platformVersion?: string;
  model?: string;
  fullVersionList?: UserAgentBrand[];
  [key: string]: Json | undefined;
}

export interface InitPayload {
  uuid?: string;
  context?: { url?: UrlContext; client?: ClientContext; user?: { attributes?: Attributes } };
  custom_data?: Attributes;
  synchronous?: boolean;
}

export interface EventPayload {
  event: string;
  uuid?: string;
  attributes?: Attributes;
  timestamp?: string;
  id?: string;
  context?: { client?: { ipAddress?: string; userAgent?: string } };
  synchronous?: boolean;
}

export interface WriteResult {
  success: boolean;
  uuid: string;
  queued: boolean;
  /** Browser only: the network failed; the write waits in the durable local queue. */
  pending?: boolean;
  /** Browser only: handed to sendBeacon as the page went away. */
  beacon?: boolean;
}

export interface CommonOptions {
  publicKey: string;
  /** Base URL of the service. Browser default: where /sdk/atrack.js was loaded from. Node default: $ATRACK_ENDPOINT. */
  endpoint?: string;
  /** For the read API (sessionShow, eventShow, deleteSession); server side only. */
  secretKey?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  maxRetryAfterMs?: number;
  synchronous?: boolean;
  headers?: Record<string, string>;
  onError?: (error: ATrackError) => void;
}

export interface BrowserOptions extends CommonOptions {
  uuid?: string;
  autoCapture?: boolean;
  cookie?: boolean;
  cookieDomain?: string;
  storage?: Storage | null;
  batchSize?: number;
  flushInterval?: number;
  maxQueue?: number;
}

export interface ReadApi {
  sessionShow(uuid?: string, options?: { events_limit?: number; sort?: "asc" | "desc" }): Promise<any>;
  eventShow(
    name: string | { name: string; [key: string]: Json },
    options?: { page?: number; per_page?: number; sort?: "asc" | "desc"; uuid?: string; from?: string; to?: string }
  ): Promise<any>;
  deleteSession(uuid?: string): Promise<any>;
}

export interface ATrackSdk extends ReadApi {
  version: string;
  init(payload?: InitPayload): Promise<WriteResult>;
  setAttributes(attributes: Attributes, replace?: boolean, uuid?: string): Promise<WriteResult>;
  track(event: string, attributes?: Attributes, uuidOverride?: string | null): Promise<WriteResult>;
  track(payload: EventPayload): Promise<WriteResult>;
  getUserUuid(): string;
  setUserUuid(uuid: string): string;
  reset(): void;
  flush(): Promise<void>;
  pending(): number;
  shutdown(): void;
}

export interface ATrackNodeSdk extends ReadApi {
  version: string;
  init(payload?: InitPayload): Promise<WriteResult>;
  setAttributes(attributes: Attributes, replace?: boolean, uuid?: string): Promise<WriteResult>;
  track(payload: EventPayload): Promise<WriteResult>;
  track(event: string, attributes?: Attributes, uuid?: string): Promise<WriteResult>;
  getUserUuid(): string | null;
  setUserUuid(uuid: string): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface ATrackError extends Error {
  name: "ATrackError";
  /** HTTP status; 0 when there was no answer (network error, timeout). */
  status: number;
  code: string;
  fields: Record<string, string[]> | null;
  retryAfter: number | null;
  retryable: boolean;
  body: any;
}

export function createATrackSdk(options: BrowserOptions): ATrackSdk;
export function createATrackNodeSdk(options: CommonOptions & { uuid?: string }): ATrackNodeSdk;
export function clientHintsFrom(
  headers: Record<string, string | string[] | undefined> | { get(name: string): string | null },
): Record<string, string> | undefined;
export const ATrackError: { prototype: ATrackError };
export const VERSION: string;
