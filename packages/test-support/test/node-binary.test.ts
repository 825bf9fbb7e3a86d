import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeBinary, type NodeMajor } from '../src/node-binary.js';

const own = Number(process.versions.node.split('.')[0]) as NodeMajor;
const other: NodeMajor = own === 26 ? 24 : 26;

afterEach(() => vi.unstubAllEnvs());

describe('nodeBinary', () => {
  it('without a variable, is this process for its own line and nothing for another', () => {
    vi.stubEnv(`MINI_AGENT_NODE${own}`, '');
    vi.stubEnv(`MINI_AGENT_NODE${other}`, '');
    expect(nodeBinary(own)).toBe(process.execPath);
    expect(nodeBinary(other)).toBeUndefined();
  });

  it('takes the variable when it names a binary of that line', () => {
    vi.stubEnv(`MINI_AGENT_NODE${own}`, process.execPath);
    expect(nodeBinary(own)).toBe(process.execPath);
  });

  it('a variable naming a missing file or another line is an error, not a skip', () => {
    vi.stubEnv(`MINI_AGENT_NODE${other}`, '/nonexistent/node');
    expect(() => nodeBinary(other)).toThrow(/no such file/);
    vi.stubEnv(`MINI_AGENT_NODE${other}`, process.execPath);
    expect(() => nodeBinary(other)).toThrow(new RegExp(`is Node v${own}\\..*, not ${other}`));
  });
});
