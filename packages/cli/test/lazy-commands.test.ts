import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command, CommandEntry, Io } from '../src/command.js';
import { COMMANDS } from '../src/commands/index.js';
import { main } from '../src/main.js';
import { buildCli, CLI_BIN, cleanEnv, runNode } from './built-cli.js';

/** An Io that keeps what a command printed. */
function capture(): Io & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (line) => void out_.push(line), err: (line) => void err_.push(line) };
}

const working: Command = { name: 'hello', summary: 'Say hello', help: 'Usage: hello', run: async (_, io) => (io.out('hello'), 0) };
const table: CommandEntry[] = [
  { name: 'hello', summary: 'Say hello', load: async () => working },
  { name: 'broken', summary: 'A command whose module does not load', load: () => Promise.reject(new Error("Cannot find package 'gone'\n    at stack line")) },
];

describe('commands load only when they run', () => {
  it('a command whose module fails to load breaks only itself, with one line saying why', async () => {
    const broken = capture();
    expect(await main(['broken'], broken, table)).toBe(1);
    expect(broken.err_).toEqual(["mini-agent-otel broken: the command could not be loaded: Cannot find package 'gone'"]);

    const hello = capture();
    expect(await main(['hello'], hello, table)).toBe(0);
    expect(hello.out_).toEqual(['hello']);

    const help = capture();
    expect(await main(['--help'], help, table)).toBe(0);
    expect(help.out_.join('\n')).toMatch(/^ {2}broken\s+A command whose module does not load$/m);
    const version = capture();
    expect(await main(['--version'], version, table)).toBe(0);
    expect(version.out_[0]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('each entry of the command list loads the command it names, with the summary the list shows', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
  });

  describe('the built CLI', () => {
    let workDir: string;
    beforeAll(async () => {
      await buildCli();
      workDir = mkdtempSync(join(tmpdir(), 'cli-lazy-'));
    }, 600_000);
    afterAll(() => {
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    /** Runs the CLI and returns every module it resolved. */
    async function importsOf(args: string[]): Promise<{ code: number | null; stdout: string; modules: string[] }> {
      const log = join(workDir, `imports-${args.join('_')}.txt`);
      const result = await runNode(['--import', new URL('./fixtures/record-imports.mjs', import.meta.url).pathname, CLI_BIN, ...args], {
        cwd: workDir,
        env: cleanEnv({ RECORD_IMPORTS_TO: log }),
      });
      return { code: result.code, stdout: result.stdout, modules: readFileSync(log, 'utf8').trim().split('\n') };
    }

    it('--version and --help import no command module and no database driver', async () => {
      for (const args of [['--version'], ['--help']]) {
        const { code, stdout, modules } = await importsOf(args);
        expect(code).toBe(0);
        expect(stdout).not.toBe('');
        expect(modules.filter((url) => /\/dist\/commands\/(?!index\.js)/.test(url))).toEqual([]);
        expect(modules.filter((url) => /pglite|postgres|opentelemetry/.test(url))).toEqual([]);
      }
    });

    it('running a command imports that command only', async () => {
      const { code, modules } = await importsOf(['migrate', '--help']);
      expect(code).toBe(0);
      expect(modules.filter((url) => /\/dist\/commands\//.test(url)).map((url) => url.replace(/^.*\/dist\//, ''))).toEqual(['commands/index.js', 'commands/migrate.js']);
    });
  });
});
