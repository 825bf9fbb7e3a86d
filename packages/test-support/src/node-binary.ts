import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Node.js lines the packages support, each a lane of its own. */
export type NodeMajor = 20 | 22 | 24 | 26;

/**
 * The `node` binary of a Node.js line, for tests that run a child process on another runtime than
 * their own: `MINI_AGENT_NODE<major>` (an absolute path, set by CI for each lane), else this
 * process's own binary when it is that line, else `undefined` (the caller skips, and says so).
 * A variable naming a missing file or another line throws: a wrong setup must not pass as a skip.
 */
export function nodeBinary(major: NodeMajor): string | undefined {
  const variable = `MINI_AGENT_NODE${major}`;
  const fromEnv = process.env[variable];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${variable}=${fromEnv}: no such file`);
    const version = execFileSync(fromEnv, ['--version'], { encoding: 'utf8' }).trim();
    if (version.split('.')[0] !== `v${major}`) throw new Error(`${variable}=${fromEnv} is Node ${version}, not ${major}`);
    return fromEnv;
  }
  return process.versions.node.split('.')[0] === String(major) ? process.execPath : undefined;
}

/** Why {@link nodeBinary} found nothing, for the skip message. */
export function missingNodeReason(major: NodeMajor): string {
  return `no Node ${major} binary: set MINI_AGENT_NODE${major} to one (this process is Node ${process.versions.node})`;
}
