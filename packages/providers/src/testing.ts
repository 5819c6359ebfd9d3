export type { FakeBehavior, FakeOpenAIServer, RecordedRequest } from './testing/fake-openai-server.js';
export { startFakeOpenAI } from './testing/fake-openai-server.js';
