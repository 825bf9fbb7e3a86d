// Child processes of a benchmark: started with IPC, asked questions, stopped.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR } from './measure.js';

// With `pnpm bench --cpu-prof`, every child writes its own profile too (they exit on SIGTERM).
const PROFILE = process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS_DIR}profiles`] : [];

export const LANGFUSE_KEYS = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };

let nextId = 1;

/**
 * Answers the parent's questions: `answer(message)` is called for each, and what it returns (or
 * resolves to) is sent back tagged with the question's id. For use inside a child.
 */
export function answerParent(answer) {
  process.on('message', async ({ id, message }) => process.send({ id, answer: await answer(message) }));
}

/** Forks `children/<name>.js` and waits for its first message (its addresses). */
export async function startChild(name, { execArgv = [], env = {}, args = [] } = {}) {
  const child = fork(fileURLToPath(new URL(`../children/${name}.js`, import.meta.url)), args, {
    execArgv: [...execArgv, ...PROFILE],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const first = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`child ${name} exited with ${code} before it was ready`)));
  });
  return {
    process: child,
    info: first,
    /** Sends `message` and resolves with the child's answer to it (several may be pending). */
    ask(message) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const onMessage = (reply) => {
          if (reply?.id !== id) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(reply.answer);
        };
        const onExit = (code) => reject(new Error(`child ${name} exited with ${code} before answering`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ id, message });
      });
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
