export type { AnthropicProvider, AnthropicSettings } from './anthropic/anthropic-provider.js';
export { createAnthropic } from './anthropic/anthropic-provider.js';
export type {
  OpenAICompatibleProvider,
  OpenAICompatibleSettings,
} from './openai/openai-compatible-provider.js';
export { createOpenAICompatible } from './openai/openai-compatible-provider.js';
export { parseRetryAfter, toOpenAIErrorBody } from './openai/upstream-http-error.js';
export type { AddressLookup } from './security/guarded-lookup.js';
export { createGuardedLookup, UnsafeAddressError } from './security/guarded-lookup.js';
export type { UrlPolicy } from './security/url-guard.js';
export { checkOutboundUrl, isAllowlistedHost, isDisallowedAddress } from './security/url-guard.js';
export type { CallDeadline } from './transport/call-deadline.js';
export { startCallDeadline } from './transport/call-deadline.js';
export type {
  HttpTransport,
  TransportRequest,
  TransportResponse,
  UndiciTransportOptions,
} from './transport/http-transport.js';
export { createUndiciTransport } from './transport/http-transport.js';
export {
  doneEvent,
  encodeChatEvent,
  parseChatEvent,
  scanChatEvent,
  splitServerSentEvents,
} from './transport/server-sent-events.js';
