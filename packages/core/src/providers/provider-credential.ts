/** A provider credential stored through the API, its secret encrypted at rest. */
export interface ProviderCredential {
  id: string;
  projectId: string;
  /** What config targets name in `credential:`; unique per project. */
  name: string;
  provider: 'openai' | 'openai-compatible' | 'anthropic';
  /** Checked against SSRF rules when saved and again when connecting. */
  baseUrl: string | null;
  /** The API key, sealed by the server's secret box (never the plain key). */
  apiKeySealed: string;
  /** How the key is shown: prefix…suffix. */
  apiKeyDisplay: string;
  createdAt: string;
}
