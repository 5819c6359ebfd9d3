// Reads the benchmark knobs from the environment (and a few flags) once, failing loudly on bad values.

/** A whole number from `env[name]`, or `fallback`. */
export function integerSetting(env, name, fallback, minimum = 0) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${name} is ${JSON.stringify(raw)}, but it must be a whole number ≥ ${minimum}`);
  }
  return value;
}

/** A comma-separated list from `env[name]`, each item one of `allowed` (if given), or `fallback`. */
export function listSetting(env, name, fallback, allowed) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = allowed ? items.filter((item) => !allowed.includes(item)) : [];
  if (items.length === 0 || unknown.length > 0) {
    throw new Error(`${name} is ${JSON.stringify(raw)}; allowed: ${allowed?.join(', ') ?? 'a list'}`);
  }
  return items;
}

/** True when `--flag` is on the command line or `env[name]` is 1/true. */
export function booleanSetting(env, argv, name, flag) {
  if (argv.includes(`--${flag}`)) return true;
  return ['1', 'true', 'yes'].includes(String(env[name] ?? '').toLowerCase());
}
