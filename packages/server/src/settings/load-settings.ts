import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { FlywheelError } from '@flywheel/spec';
import { parseDocument } from 'yaml';
import { parseGatewayConfig } from './gateway-config.js';
import { type SettingDefinition, type SettingName, settingDefinitions } from './setting-definitions.js';
import type { SettingProblem as Problem } from './setting-problem.js';
import type { Settings } from './settings.js';

/** Where settings come from. */
export interface SettingSources {
  /** Raw command-line flag values, by flag name without dashes (`'data-dir'`). */
  flags?: Readonly<Record<string, string | undefined>>;
  /** The environment (usually `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Folder that relative paths are resolved against (default `process.cwd()`). */
  cwd?: string;
}

/** The name of the config file looked for in the working folder. */
export const defaultConfigFileName = 'flywheel.config.yaml';

/**
 * Reads every setting once: flag, then environment variable, then `flywheel.config.yaml`
 * (path in `--config` or `FLYWHEEL_CONFIG`), then the default. Every bad value is reported in one
 * `invalid_setting` error that names the setting, where it came from, the value and what is allowed.
 *
 * @example
 * const settings = loadSettings({ flags: { port: '8080' }, env: process.env });
 */
export function loadSettings(sources: SettingSources = {}): Settings {
  const flags = sources.flags ?? {};
  const env = sources.env ?? {};
  const cwd = sources.cwd ?? process.cwd();
  const problems: Problem[] = [];

  const configPath = findConfigFile(flags, env, cwd);
  const file = configPath ? readConfigFile(configPath, env, problems) : new Map<string, unknown>();

  const values: Record<string, unknown> = {};
  const origins: Partial<Record<SettingName, 'file' | 'other'>> = {};
  for (const [name, definition] of Object.entries(settingDefinitions) as Array<
    [SettingName, SettingDefinition<unknown>]
  >) {
    const candidates: Array<[string, unknown, 'file' | 'other']> = [];
    if (definition.flag !== undefined)
      candidates.push([`--${definition.flag}`, flags[definition.flag], 'other']);
    candidates.push([definition.env, env[definition.env], 'other']);
    if (definition.file !== undefined)
      candidates.push([`${definition.file} in ${configPath}`, file.get(definition.file), 'file']);
    const chosen = candidates.find(([, raw]) => raw !== undefined && raw !== '');
    if (!chosen) {
      values[name] = definition.defaultValue;
      continue;
    }
    const [source, raw, origin] = chosen;
    const parsed = definition.parse(raw);
    if (parsed.ok) {
      values[name] = parsed.value;
      origins[name] = origin;
    } else {
      const shown = definition.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push({
        setting: name,
        source,
        message: `${source} is ${shown}, but it must be ${definition.allowed}.`,
      });
    }
  }

  const gateway = parseGatewayConfig(
    { models: file.get('models'), prices: file.get('prices'), gateway: file.get('gateway') },
    configPath ?? defaultConfigFileName,
    problems,
  );

  if (problems.length > 0) {
    throw new FlywheelError(
      'invalid_setting',
      `Invalid settings:\n  - ${problems.map((p) => p.message).join('\n  - ')}`,
      {
        details: problems,
      },
    );
  }

  // Paths from the config file are relative to the file; others to the working folder.
  const dataDir = values.dataDir as string;
  const base = origins.dataDir === 'file' && configPath ? dirname(configPath) : cwd;
  return {
    ...(values as Omit<Settings, 'configPath' | 'gateway'>),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(base, dataDir),
    configPath,
    gateway,
  };
}

function findConfigFile(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string | undefined {
  const given: Array<[string, string | undefined]> = [
    ['--config', flags.config],
    ['FLYWHEEL_CONFIG', env.FLYWHEEL_CONFIG],
  ];
  const explicit = given.find(([, value]) => value !== undefined && value !== '');
  if (explicit) {
    const path = resolve(cwd, explicit[1]!);
    if (!existsSync(path)) {
      throw new FlywheelError(
        'invalid_setting',
        `${explicit[0]} names the config file ${JSON.stringify(explicit[1])}, which does not exist (looked for ${path}).`,
        { details: [{ setting: 'config', source: explicit[0] }] },
      );
    }
    return path;
  }
  const fallback = resolve(cwd, defaultConfigFileName);
  return existsSync(fallback) ? fallback : undefined;
}

function fileKeys(): Set<string> {
  const keys = new Set<string>();
  for (const definition of Object.values(settingDefinitions) as Array<SettingDefinition<unknown>>) {
    if (definition.file !== undefined) keys.add(definition.file);
  }
  return keys;
}

/** Flattens the config file to dotted keys, interpolating `${VAR}` from the environment. */
function readConfigFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
) {
  const flat = new Map<string, unknown>();
  const document = parseDocument(readFileSync(path, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new FlywheelError('invalid_setting', `${path} is not valid YAML: ${document.errors[0]!.message}`, {
      details: [{ setting: 'config', source: path }],
    });
  }
  const root: unknown = document.toJS();
  if (root === null || root === undefined) return flat;
  const allowed = fileKeys();
  const allowedList = [...allowed, ...structuredSections].join(', ');
  const visit = (value: unknown, prefix: string) => {
    if (structuredSections.includes(prefix)) {
      flat.set(prefix, interpolateDeep(value, prefix, path, env, problems));
      return;
    }
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      ![...allowed].includes(prefix)
    ) {
      for (const [key, child] of Object.entries(value))
        visit(child, prefix === '' ? key : `${prefix}.${key}`);
      return;
    }
    if (!allowed.has(prefix)) {
      problems.push({
        setting: prefix,
        source: path,
        message: `${path} sets '${prefix}', which is not a setting. Allowed: ${allowedList}.`,
      });
      return;
    }
    flat.set(prefix, typeof value === 'string' ? interpolate(value, prefix, path, env, problems) : value);
  };
  if (typeof root !== 'object' || Array.isArray(root)) {
    throw new FlywheelError(
      'invalid_setting',
      `${path} must be a YAML mapping of settings (${allowedList}).`,
      {
        details: [{ setting: 'config', source: path }],
      },
    );
  }
  visit(root, '');
  return flat;
}

/** Config sections read whole (lists and maps) and validated by their own schema. */
const structuredSections = ['models', 'prices', 'gateway'];

function interpolateDeep(
  value: unknown,
  key: string,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
): unknown {
  if (typeof value === 'string') return interpolate(value, key, path, env, problems);
  if (Array.isArray(value))
    return value.map((item, index) => interpolateDeep(item, `${key}[${index}]`, path, env, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, child]) => [
        name,
        interpolateDeep(child, `${key}.${name}`, path, env, problems),
      ]),
    );
  }
  return value;
}

function interpolate(
  value: string,
  key: string,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const replacement = env[name];
    if (replacement === undefined) {
      problems.push({
        setting: key,
        source: path,
        message: `${key} in ${path} refers to \${${name}}, but the environment variable ${name} is not set.`,
      });
      return '';
    }
    return replacement;
  });
}
