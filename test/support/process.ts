/** The real entry point in a process of its own, as operators run it. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
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
// Levels at which the service still logs its `listening` line.
const VERBOSE_LEVELS = new Set(['info', 'debug', 'trace']);

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once GET /healthz answers on `port`. */
async function healthy(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not healthy after ${STARTUP_DEADLINE_MS} ms`);
}

/**
 * Starts `node dist/src/main.js` with `env` (as `user`, when given) and
 * resolves once it logs that it is listening; with a LOG_LEVEL that hides
 * that line, once /healthz answers on a port chosen beforehand.
 */
export async function startServiceProcess(env: Record<string, string>, user: { uid?: number; gid?: number } = {}): Promise<ServiceProcess> {
  const quiet = env.LOG_LEVEL !== undefined && !VERBOSE_LEVELS.has(env.LOG_LEVEL);
  const fixedPort = quiet ? await freePort() : undefined;
  const child = spawn(process.execPath, [entryPoint], {
    env: { ...process.env, PORT: String(fixedPort ?? 0), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
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
    if (fixedPort !== undefined) healthy(fixedPort, Date.now() + STARTUP_DEADLINE_MS).then(() => resolve(fixedPort), reject);
    deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not listening after ${STARTUP_DEADLINE_MS} ms: ${logs.join('\n')}`));
    }, STARTUP_DEADLINE_MS).unref();
  }).finally(() => clearTimeout(deadline)); // a process that started in time runs as long as its test needs
  return { process: child, port, url: `http://127.0.0.1:${port}`, logs, exited };
}

/** Resident memory of a process in MiB (Linux /proc), or undefined where /proc is not there. */
export function residentMiB(pid: number): number | undefined {
  if (!existsSync(`/proc/${pid}/status`)) return undefined;
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : undefined;
}
