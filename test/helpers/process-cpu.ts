import { readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times, is 100 on every common build. */
const TICKS_PER_SECOND = 100;

/**
 * CPU a process has used so far (user + system, ms, in steps of 10), read from /proc: undefined
 * where there is none. Unlike a wall time, it moves only when the process's own work does,
 * whatever else the machine is running.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const after = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(after[11]) + Number(after[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
