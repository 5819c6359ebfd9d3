/** Instance-wide state that belongs to no project. */
export interface InstanceStore {
  /**
   * Atomically claims the one-time bootstrap of the instance. True for exactly one caller,
   * ever (across processes sharing the database); false for every later one.
   */
  claimBootstrap(at: string): Promise<boolean>;
}
