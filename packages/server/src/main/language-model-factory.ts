import { createAnthropic, createOpenAICompatible, type HttpTransport } from '@flywheel/providers';
import type { LanguageModel } from '@flywheel/spec';
import type { ProviderKind } from '../settings/gateway-config.js';

/** What a model adapter is built from. */
export interface ModelSpec {
  provider: ProviderKind;
  model: string;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  headers: Record<string, string>;
}

export const defaultBaseUrls: Record<Exclude<ProviderKind, 'openai-compatible'>, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
};

/** The provider registry: one adapter factory per provider kind. */
export function createLanguageModel(spec: ModelSpec, transport: HttpTransport): LanguageModel {
  switch (spec.provider) {
    case 'anthropic':
      return createAnthropic({
        baseUrl: spec.baseUrl ?? defaultBaseUrls.anthropic,
        apiKey: spec.apiKey ?? '',
        headers: spec.headers,
        transport,
      }).languageModel(spec.model);
    case 'openai':
    case 'openai-compatible':
      return createOpenAICompatible({
        provider: spec.provider,
        baseUrl: spec.baseUrl ?? defaultBaseUrls.openai,
        ...(spec.apiKey === undefined ? {} : { apiKey: spec.apiKey }),
        headers: spec.headers,
        transport,
      }).languageModel(spec.model);
  }
}
