/** Flywheel's version (kept equal to the root package.json by a test). */
export const flywheelVersion = '0.1.0';
