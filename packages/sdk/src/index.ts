export type { ErrorCode } from '@flywheel/spec';
export { FlywheelError } from '@flywheel/spec';
export type { FlywheelClient, FlywheelClientOptions } from './client/flywheel-client.js';
export { createFlywheelClient } from './client/flywheel-client.js';
