import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time that processes of this machine spend during a phase of a benchmark, read from /proc
 * (Linux): the server's process, and PostgreSQL's (every process named `postgres`: backends, WAL
 * writer, checkpointer). Divided by the operations of the phase, it says what one operation costs
 * each side, which throughput alone cannot tell on a machine where the server, PostgreSQL and the
 * load generator share the cores.
 *
 * Backends that exit during the phase (pgbench closes its connections as it ends) take their CPU
 * time out of /proc with them, so each process is read every SAMPLE_MS and keeps its last reading:
 * what such a backend spent after its last reading is missed (at most SAMPLE_MS of its time). A
 * process that appears during the phase counts from zero. Where /proc cannot be read, or no
 * `postgres` process is seen (a database on another machine), the figures are null.
 */
export function startCpuMeter(serverPid?: number): { stop(): CpuUsage | null } {
  if (!readable()) return { stop: () => null };
  const first = readAll(serverPid);
  const last = new Map(first);
  const machineBefore = machineBusyTicks();
  const started = Date.now();
  const sample = () => {
    for (const [pid, reading] of readAll(serverPid)) last.set(pid, reading);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - started) / 1000;
      let server = 0;
      let database = 0;
      let databaseSeen = false;
      for (const [pid, reading] of last) {
        const spent = (reading.ticks - (first.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
        if (reading.kind === 'server') server += spent;
        else {
          database += spent;
          databaseSeen = true;
        }
      }
      if (!databaseSeen) return null;
      return {
        seconds,
        serverSeconds: serverPid === undefined ? null : server,
        databaseSeconds: database,
        busyCores: (machineBusyTicks() - machineBefore) / TICKS_PER_SECOND / seconds,
      };
    },
  };
}

export interface CpuUsage {
  /** Wall-clock length of the phase. */
  seconds: number;
  /** CPU seconds of the server's process (null when no server was named). */
  serverSeconds: number | null;
  /** CPU seconds of every `postgres` process. */
  databaseSeconds: number;
  /** Cores busy on average through the phase, whoever kept them busy (all of /proc/stat but idle and iowait). */
  busyCores: number;
}

/** Milliseconds of CPU per operation, to two decimal places; null without a reading. */
export function cpuMsPer(seconds: number | null | undefined, operations: number): number | null {
  if (seconds == null || operations <= 0) return null;
  return Math.round((seconds * 1000 * 100) / operations) / 100;
}

const SAMPLE_MS = 250;
// USER_HZ: the unit of /proc's CPU times, 100 on every Linux build that matters here.
const TICKS_PER_SECOND = 100;

type Reading = { kind: 'server' | 'database'; ticks: number };

function readable(): boolean {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

function readAll(serverPid: number | undefined): Map<number, Reading> {
  const readings = new Map<number, Reading>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited between the listing and the read
    }
    // pid (comm) state ppid … utime stime: fields 14 and 15, counted after the closing parenthesis.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const kind = pid === serverPid ? 'server' : comm === 'postgres' ? 'database' : undefined;
    if (!kind) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    readings.set(pid, { kind, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return readings;
}

/** Busy ticks of the whole machine: every state of the first line of /proc/stat but idle and iowait. */
function machineBusyTicks(): number {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = values.map(Number);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice)
  return n[0]! + n[1]! + n[2]! + n[5]! + n[6]! + n[7]!;
}
