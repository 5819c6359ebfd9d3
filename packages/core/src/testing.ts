export { createInMemoryStores } from './testing/in-memory-stores.js';
