// Which span speaks for a trace row: its session span, else its root span, else the first span
// seen; the others only fill what is still empty. The same rule must hold whether two spans of a
// trace arrive in one batch (merged before the INSERT) or in two (merged by ON CONFLICT).
import type { TraceRecord } from '@mini-agent/core';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useSinkSuite, type Row } from './backends.js';
import { newTraceId, partialTrace } from './records.js';

type Trace = Omit<TraceRecord, 'traceId' | 'spanId' | 'type'>;

const START = new Date('2026-11-25T10:00:00.000Z');
const END = new Date('2026-11-25T10:00:09.000Z');

/** A session span's trace record: it speaks for the trace. */
const session = (fields: Partial<Trace> = {}): Partial<Trace> => ({
  complete: true, root: false, name: 'session', sessionId: 'sess', agentName: 'agent', agentVersion: '1.0', status: 'ok',
  startTime: START, endTime: END, input: { q: 'session input' }, output: 'session output', tags: ['session'],
  attributes: { from: 'session' }, resource: { 'service.name': 'session-service' }, ...fields,
});
/** A root span's (no session span): it speaks for the trace while no session span does. */
const root = (fields: Partial<Trace> = {}): Partial<Trace> => ({
  root: true, name: 'root', status: 'error', statusMessage: 'root failed', tags: ['root'], attributes: { from: 'root' },
  resource: { 'service.name': 'root-service' }, ...fields,
});
/** Any other span's: fills what is empty. */
const child = (fields: Partial<Trace> = {}): Partial<Trace> => ({
  name: 'child', userId: 'child-user', environment: 'child-env', status: 'error', tags: ['child'], attributes: { from: 'child' },
  resource: { 'service.name': 'child-service' }, ...fields,
});

interface Case {
  readonly name: string;
  readonly first: Partial<Trace>;
  readonly second: Partial<Trace>;
  readonly row: Row;
}

const CASES: Case[] = [
  {
    name: 'a session span after a child: the session speaks, the child fills what it lacks',
    first: child(),
    second: session(),
    row: { name: 'session', status: 'ok', tags: ['session'], attributes: { from: 'session' }, resource: { 'service.name': 'session-service' }, user_id: 'child-user', environment: 'child-env', complete: true, defined_by: 'session' },
  },
  {
    name: 'a child after the session span: it only fills what is empty',
    first: session(),
    second: child(),
    row: { name: 'session', status: 'ok', tags: ['session'], attributes: { from: 'session' }, resource: { 'service.name': 'session-service' }, user_id: 'child-user', environment: 'child-env', input: { q: 'session input' }, complete: true, defined_by: 'session' },
  },
  {
    name: 'a session span after the root span: the session wins, keeping what only the root has',
    first: root(),
    second: session({ statusMessage: null }),
    row: { name: 'session', status: 'ok', status_message: 'root failed', tags: ['session'], attributes: { from: 'session' }, resource: { 'service.name': 'session-service' }, complete: true, defined_by: 'session' },
  },
  {
    name: 'the root span after the session span: the session keeps the trace',
    first: session({ statusMessage: null }),
    second: root(),
    row: { name: 'session', status: 'ok', status_message: 'root failed', tags: ['session'], attributes: { from: 'session' }, resource: { 'service.name': 'session-service' }, complete: true, defined_by: 'session' },
  },
  {
    name: 'a root span after a child: the root speaks',
    first: child(),
    second: root({ environment: null }),
    row: { name: 'root', status: 'error', tags: ['root'], attributes: { from: 'root' }, resource: { 'service.name': 'root-service' }, environment: 'child-env', complete: true, defined_by: 'root' },
  },
  {
    name: 'two root spans (two roots in one trace): the later one speaks',
    first: root({ name: 'root 1', agentName: 'first-agent' }),
    second: root({ name: 'root 2', status: 'ok', tags: ['root 2'] }),
    row: { name: 'root 2', status: 'ok', tags: ['root 2'], agent_name: 'first-agent', complete: true, defined_by: 'root' },
  },
  {
    name: 'two children: the first one seen stays, the second fills what is empty',
    first: child({ name: 'child 1', userId: null, status: 'unset' }),
    second: child({ name: 'child 2', userId: 'user 2', status: 'error', tags: ['child 2'], attributes: { from: 'child 2' }, resource: { 'service.name': 'other' } }),
    row: { name: 'child 1', user_id: 'user 2', status: 'unset', tags: ['child'], attributes: { from: 'child' }, resource: { 'service.name': 'child-service' }, complete: false, defined_by: null },
  },
  {
    name: 'a child without a resource, then one with: the resource is taken',
    first: child({ resource: {} }),
    second: child({ name: 'child 2', resource: { 'service.name': 'late' } }),
    row: { name: 'child', resource: { 'service.name': 'late' }, complete: false, defined_by: null },
  },
  {
    name: 'a session span without a resource, then a child with one: the resource is taken, the session keeps the rest',
    first: session({ resource: {} }),
    second: child(),
    row: { name: 'session', resource: { 'service.name': 'child-service' }, tags: ['session'], complete: true, defined_by: 'session' },
  },
];

const record = (traceId: string, fields: Partial<Trace>): TraceRecord => ({ ...partialTrace(traceId), ...fields });

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`the trace row in ${backend.name}`, () => {
    const suite = useSinkSuite(backend);
    const traceRow = async (id: string) => (await suite.db().query('SELECT * FROM mini_agent_observability.traces WHERE id = $1', [id]))[0];

    for (const c of CASES) {
      it(`${c.name}, in one batch and in two`, async () => {
        const together = newTraceId();
        const sink = suite.sink();
        await sink.write([record(together, c.first), record(together, c.second)]);
        const apart = newTraceId();
        await sink.write([record(apart, c.first)]);
        await sink.write([record(apart, c.second)]);
        expect(await traceRow(together)).toMatchObject(c.row);
        expect(await traceRow(apart)).toMatchObject(c.row);
      });
    }
  });
}
