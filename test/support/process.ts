/** The real entry point in a process of its own, as operators run it. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const entryPoint = new URL('../../src/main.js', import.meta.url).pathname;
const cli = new URL('../../src/cli.js', import.meta.url).pathname;

/**
 * Runs the package's command line (`collection-service ...`) and returns what
 * it printed; rejects with `code` and `stderr` when it exits non-zero.
 */
export async function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, cwd });
  return stdout.trim();
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const EXIT_DEADLINE_MS = 15000;

/**
 * Runs `node dist/src/main.js` with `env` (and as `user`, when given) until
 * it exits on its own, as a start that fails does; kills it if it is still
 * running after the deadline.
 */
export async function runServiceToExit(env: Record<string, string>, user: { uid?: number; gid?: number } = {}): Promise<Finished> {
  const child = spawn(process.execPath, [entryPoint], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  clearTimeout(deadline);
  return { code, stdout, stderr };
}

export interface ServiceProcess {
  process: ChildProcess;
  port: number;
  url: string;
  logs: string[];
  exited: Promise<number | null>;
}

const STARTUP_DEADLINE_MS = 15000;

/**
 * Starts `node dist/src/main.js` with `env` and resolves once it logs that it
 * is listening (so LOG_LEVEL must let info through).
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [entryPoint], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let deadline: NodeJS.Timeout | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        const entry = JSON.parse(line);
        if (entry.msg === 'listening') resolve(entry.port);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    void exited.then((code) => reject(new Error(`exited with ${code}: ${logs.join('\n')}`)));
    deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not listening after ${STARTUP_DEADLINE_MS} ms: ${logs.join('\n')}`));
    }, STARTUP_DEADLINE_MS).unref();
  });
  // Only the start has a deadline: a slow suite must not find its service killed under it.
  clearTimeout(deadline);
  return { process: child, port, url: `http://127.0.0.1:${port}`, logs, exited };
}
