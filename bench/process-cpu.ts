/**
 * CPU time a server used, from /proc: user + system time of a process and
 * all its descendants (cluster workers included), in seconds. Read around a
 * load run, it gives CPU per request, which moves far less than req/s on a
 * shared machine.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function ownCpu(pid: number): number {
  try {
    // Fields after the command name, which is parenthesised and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

export function treeCpuSeconds(pid: number): number {
  return ownCpu(pid) + children(pid).reduce((sum, child) => sum + treeCpuSeconds(child), 0);
}
