import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child process whose stdout and stderr are collected into one log. */
export interface LoggedChild {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  log(): string;
  /** Resolves with its exit code once it has exited. */
  readonly exited: Promise<number | null>;
}

/** Spawns `command` with exactly `env`, collecting what it prints. */
export function spawnLogged(command: string, args: readonly string[], env: NodeJS.ProcessEnv): LoggedChild {
  const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (t: string) => void (log += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => void (log += t));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { child, log: () => log, exited };
}

/** Waits until the child has printed `marker`; kills it and throws with its log if it exits or 60 s pass first. */
export async function waitForOutput(started: LoggedChild, marker: string, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!started.log().includes(marker)) {
    if (started.child.exitCode !== null || Date.now() > deadline) {
      started.child.kill('SIGKILL');
      throw new Error(`${what} did not start (exit ${started.child.exitCode}):\n${started.log().slice(-4000)}`);
    }
    await sleep(50);
  }
}
