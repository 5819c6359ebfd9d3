import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** What one workspace package may import. */
export interface PackageRule {
  /** Workspace packages it may import. */
  allowed: string[];
  /** No `node:*` (or bare Node built-in) imports outside tests: it must run in browsers. */
  browserSafe: boolean;
  /**
   * Folders (relative to src) of a browser-safe package that only its Node entry point loads;
   * they may use Node built-ins.
   */
  nodeOnlyFolders?: string[];
  /** Workspace packages it may import only from these files or folders (relative to the package's src). */
  onlyFrom?: { packages: string[]; files: string[]; folders?: string[] };
}

/** The package rules of ARCHITECTURE.md, as data. */
export const packageRules: Record<string, PackageRule> = {
  '@flywheel/spec': { allowed: [], browserSafe: true },
  '@flywheel/core': { allowed: ['@flywheel/spec'], browserSafe: true },
  '@flywheel/providers': { allowed: ['@flywheel/spec'], browserSafe: false },
  '@flywheel/storage': { allowed: ['@flywheel/spec', '@flywheel/core'], browserSafe: false },
  '@flywheel/sdk': { allowed: ['@flywheel/spec'], browserSafe: true, nodeOnlyFolders: ['node/'] },
  '@flywheel/server': {
    allowed: ['@flywheel/spec', '@flywheel/core', '@flywheel/storage', '@flywheel/providers'],
    browserSafe: false,
    onlyFrom: {
      packages: ['@flywheel/storage', '@flywheel/providers'],
      files: ['main.ts'],
      folders: ['main/'],
    },
  },
  '@flywheel/cli': {
    allowed: [
      '@flywheel/spec',
      '@flywheel/core',
      '@flywheel/storage',
      '@flywheel/providers',
      '@flywheel/server',
      '@flywheel/sdk',
    ],
    browserSafe: false,
  },
  '@flywheel/web': { allowed: ['@flywheel/sdk', '@flywheel/spec'], browserSafe: true },
};

/** One broken rule, with where it is. */
export interface Violation {
  rule:
    | 'unknown-package'
    | 'forbidden-package'
    | 'main-only'
    | 'deep-import'
    | 'node-builtin'
    | 'relative-escape'
    | 'undeclared-dependency'
    | 'cycle';
  file: string;
  message: string;
}

interface WorkspacePackage {
  name: string;
  dir: string;
  dependencies: Set<string>;
  exports: Set<string>;
}

const builtins = new Set(builtinModules.flatMap((name) => [name, name.split('/')[0]!]));
const sourceFile = /\.(ts|tsx|mts)$/;

/** Checks every source file of every workspace package under `root` against {@link packageRules}. */
export function checkDependencyRules(
  root: string,
  rules: Record<string, PackageRule> = packageRules,
): Violation[] {
  const rootManifest = readJson(join(root, 'package.json'));
  const rootDevDependencies = new Set(Object.keys(rootManifest.devDependencies ?? {}));
  const packages = workspacePackages(root, rootManifest);
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const violations: Violation[] = [];

  for (const pkg of packages) {
    const rule = rules[pkg.name];
    const src = join(pkg.dir, 'src');
    if (!rule) {
      violations.push({
        rule: 'unknown-package',
        file: relative(root, pkg.dir),
        message: `${pkg.name} has no dependency rule: add it to packageRules.`,
      });
      continue;
    }
    const graph = new Map<string, string[]>();
    for (const file of listFiles(src)) {
      const display = relative(root, file);
      const localPath = relative(src, file).split(sep).join('/');
      const isTest = /\.test\.tsx?$/.test(file) || localPath.split('/').includes('testing-internal');
      const edges: string[] = [];
      const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName: specifier } of info.importedFiles) {
        const fail = (rule: Violation['rule'], message: string) =>
          violations.push({ rule, file: display, message: `${message} (import '${specifier}')` });
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(pkg.dir + sep)) {
            fail(
              'relative-escape',
              `${pkg.name} reaches outside its own folder; import the other package by name`,
            );
            continue;
          }
          const resolved = resolveSource(target);
          if (resolved && !isTest) edges.push(resolved);
          continue;
        }
        const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
        if (specifier.startsWith('node:') || builtins.has(bare.split('/')[0]!)) {
          const nodeOnly = (rule.nodeOnlyFolders ?? []).some((folder) => localPath.startsWith(folder));
          if (rule.browserSafe && !isTest && !nodeOnly)
            fail('node-builtin', `${pkg.name} must run in browsers, so it may not use Node built-ins`);
          continue;
        }
        const name = packageName(specifier);
        const target = byName.get(name);
        if (target) {
          if (name === pkg.name) {
            fail('forbidden-package', `${pkg.name} imports itself by name; use a relative import`);
            continue;
          }
          // Tests are not shipped: an end-to-end test may drive several packages together (the SDK
          // against a running server). They still import only declared entry points.
          if (!rule.allowed.includes(name) && !isTest) {
            fail(
              'forbidden-package',
              `${pkg.name} may not import ${name} (allowed: ${rule.allowed.join(', ') || 'nothing internal'})`,
            );
            continue;
          }
          const inCompositionRoot =
            rule.onlyFrom !== undefined &&
            (rule.onlyFrom.files.includes(localPath) ||
              (rule.onlyFrom.folders ?? []).some((folder) => localPath.startsWith(folder)));
          if (rule.onlyFrom?.packages.includes(name) && !isTest && !inCompositionRoot) {
            fail(
              'main-only',
              `${pkg.name} may import ${name} only in ${[...rule.onlyFrom.files, ...(rule.onlyFrom.folders ?? [])].join(', ')} (the composition root)`,
            );
            continue;
          }
          const subpath = `.${specifier.slice(name.length)}`;
          if (!target.exports.has(subpath)) {
            fail(
              'deep-import',
              `${name} does not export '${subpath}'; import from its declared entry points (${[...target.exports].join(', ')})`,
            );
          }
          continue;
        }
        if (!pkg.dependencies.has(name) && !(isTest && rootDevDependencies.has(name))) {
          fail('undeclared-dependency', `${pkg.name} uses ${name} without declaring it in its package.json`);
        }
      }
      graph.set(file, edges);
    }
    for (const cycle of findCycles(graph)) {
      violations.push({
        rule: 'cycle',
        file: relative(root, cycle[0]!),
        message: `import cycle: ${[...cycle, cycle[0]!].map((file) => relative(root, file)).join(' -> ')}`,
      });
    }
  }
  return violations;
}

function workspacePackages(root: string, manifest: { workspaces?: string[] }): WorkspacePackage[] {
  const dirs = (manifest.workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name)) : [];
  });
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => {
      const pkg = readJson(join(dir, 'package.json'));
      const exportsField = pkg.exports;
      const exports =
        exportsField &&
        typeof exportsField === 'object' &&
        Object.keys(exportsField).some((key) => key.startsWith('.'))
          ? new Set(Object.keys(exportsField))
          : new Set(['.']);
      return {
        name: pkg.name as string,
        dir,
        dependencies: new Set([
          ...Object.keys(pkg.dependencies ?? {}),
          ...Object.keys(pkg.devDependencies ?? {}),
          ...Object.keys(pkg.peerDependencies ?? {}),
        ]),
        exports,
      };
    });
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name === 'dist' ? [] : listFiles(path);
    return sourceFile.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveSource(target: string): string | undefined {
  const stem = target.replace(/\.(js|mjs|ts|tsx)$/, '');
  return [`${stem}.ts`, `${stem}.tsx`, join(target, 'index.ts'), join(target, 'index.tsx')].find(
    (candidate) => existsSync(candidate),
  );
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Strongly connected components with more than one file (or a file importing itself). */
function findCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

// biome-ignore lint/suspicious/noExplicitAny: package.json is free-form JSON
function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}
