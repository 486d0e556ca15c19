import { describe, expect, it } from 'vitest';
import { ACKED, DeliveryTable, INFLIGHT, UNSENT, type DeliveryState } from './delivery-table.js';

interface E {
  id: number;
  lane: number;
  state: DeliveryState;
}

/** A table of `lanes.length` entries (entry i on lane lanes[i]), then `ops` applied in order. */
function run(lanes: number[], ops: string[]) {
  const left: number[] = [];
  const t = new DeliveryTable<E>(0, (e) => left.push(e.id));
  lanes.forEach((lane, id) => t.add({ id, lane, state: UNSENT }));
  const sent: (number | null)[] = [];
  for (const op of ops) {
    const [name, arg] = op.split(' ') as [string, string | undefined];
    const n = arg === undefined ? undefined : Number(arg);
    if (name === 'next') sent.push(t.next(t.end, () => true)?.id ?? null);
    else if (name === 'nextLane') sent.push(t.next(t.end, (l) => l === n)?.id ?? null);
    else if (name === 'ack') t.ack(n!);
    else if (name === 'confirm') t.confirm(n!);
    else if (name === 'requeue') t.requeue(n!);
    else if (name === 'release') t.release(n);
  }
  const states = lanes.map((_, id) => t.get(id)?.state ?? 'gone');
  return { sent, left, states, backlog: t.backlog, inFlight: t.inFlight, unsent: t.unsent, ackedBelow: t.ackedBelow };
}

const U = UNSENT;
const I = INFLIGHT;
const A = ACKED;

describe('DeliveryTable', () => {
  it.each([
    { name: 'sends in id order', lanes: [0, 0, 0], ops: ['next', 'next', 'next', 'next'], sent: [0, 1, 2, null], states: [I, I, I], ackedBelow: 0, backlog: 3, inFlight: 3 },
    { name: 'acks at the head move the cursor', lanes: [0, 0, 0], ops: ['next', 'next', 'ack 0', 'ack 1'], sent: [0, 1], states: ['gone', 'gone', U], ackedBelow: 2, backlog: 1, inFlight: 0 },
    { name: 'an ack out of order waits for the head', lanes: [0, 0, 0], ops: ['next', 'next', 'ack 1'], sent: [0, 1], states: [I, A, U], ackedBelow: 0, backlog: 2, inFlight: 1 },
    { name: 'ack of an unsent entry is refused', lanes: [0, 0], ops: ['ack 1'], sent: [], states: [U, U], ackedBelow: 0, backlog: 2, inFlight: 0 },
    { name: 'confirm removes an unsent entry', lanes: [0, 0], ops: ['confirm 0'], sent: [], states: ['gone', U], ackedBelow: 1, backlog: 1, inFlight: 0 },
    { name: 'confirm removes an in-flight entry', lanes: [0, 0], ops: ['next', 'confirm 0', 'next'], sent: [0, 1], states: ['gone', I], ackedBelow: 1, backlog: 1, inFlight: 1 },
    { name: 'requeue sends it again before later ones', lanes: [0, 0, 0], ops: ['next', 'next', 'requeue 0', 'next', 'next'], sent: [0, 1, 0, 2], states: [I, I, I], ackedBelow: 0, backlog: 3, inFlight: 3 },
    { name: 'release of one lane keeps the others in flight', lanes: [0, 1, 0, 1], ops: ['next', 'next', 'next', 'release 0', 'next', 'next', 'next'], sent: [0, 1, 2, 0, 2, 3], states: [I, I, I, I], ackedBelow: 0, backlog: 4, inFlight: 4 },
    { name: 'release of every lane', lanes: [0, 1], ops: ['next', 'next', 'release'], sent: [0, 1], states: [U, U], ackedBelow: 0, backlog: 2, inFlight: 0 },
    { name: 'a lane that cannot send holds the line', lanes: [1, 0], ops: ['nextLane 0', 'nextLane 1', 'nextLane 0'], sent: [null, 0, 1], states: [I, I], ackedBelow: 0, backlog: 2, inFlight: 2 },
  ])('$name', ({ lanes, ops, sent, states, ackedBelow, backlog, inFlight }) => {
    const r = run(lanes, ops);
    expect(r.sent).toEqual(sent);
    expect(r.states).toEqual(states);
    expect([r.ackedBelow, r.backlog, r.inFlight, r.unsent]).toEqual([ackedBelow, backlog, inFlight, backlog - inFlight]);
    expect(r.left).toEqual(Array.from({ length: ackedBelow }, (_, i) => i));
  });

  it('sends nothing at or beyond the limit (records not yet in the file)', () => {
    const t = new DeliveryTable<E>(0);
    for (let id = 0; id < 3; id++) t.add({ id, lane: 0, state: UNSENT });
    expect(t.next(1, () => true)?.id).toBe(0);
    expect(t.next(1, () => true)).toBeNull();
    expect(t.next(3, () => true)?.id).toBe(1);
  });

  it('starts at a recovered cursor and refuses ids out of order', () => {
    const t = new DeliveryTable<E>(40);
    expect(() => t.add({ id: 41, lane: 0, state: UNSENT })).toThrow();
    t.add({ id: 40, lane: 0, state: UNSENT });
    expect([t.ackedBelow, t.end, t.next(41, () => true)?.id]).toEqual([40, 41, 40]);
  });
});
