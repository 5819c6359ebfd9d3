import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The real built command, as `npm start` runs it (the bundle `npm run build` makes): end-to-end
// suites test what ships, not the sources.
export const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bundle', 'flywheel.js');

/** A `flywheel serve` child process. */
export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `flywheel serve` on a free port over `dataDir` and waits for its banner. */
export async function startServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'npm run build' first (npm test does).`);
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, FLYWHEEL_LOG_LEVEL: 'warn', FLYWHEEL_CONFIG: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      // The banner is written in one piece, so once the URL is there the key is too.
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', check);
    void exit.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exit };
}
