import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, createUndo, pushUndo, redo, undo } from './undo';

describe('undo stack', () => {
  it('undoes and redoes in order', () => {
    let s = createUndo<number>();
    let cur = 0;
    for (const next of [1, 2, 3]) {
      s = pushUndo(s, cur);
      cur = next;
    }
    let r = undo(s, cur)!;
    expect(r.state).toBe(2);
    r = undo(r.stack, r.state)!;
    expect(r.state).toBe(1);
    const rr = redo(r.stack, r.state)!;
    expect(rr.state).toBe(2);
    expect(canRedo(rr.stack)).toBe(true);
    expect(canUndo(rr.stack)).toBe(true);
  });

  it('returns null with nothing to undo or redo', () => {
    const s = createUndo<string>();
    expect(undo(s, 'a')).toBeNull();
    expect(redo(s, 'a')).toBeNull();
  });

  it('a new change clears the redo list', () => {
    let s = pushUndo(createUndo<number>(), 0);
    const r = undo(s, 1)!;
    s = pushUndo(r.stack, r.state);
    expect(canRedo(s)).toBe(false);
  });

  it('merges consecutive changes with the same key', () => {
    let s = createUndo<string>();
    s = pushUndo(s, '', 'title');
    s = pushUndo(s, 'a', 'title');
    s = pushUndo(s, 'ab', 'title');
    expect(s.past).toEqual(['']);
    s = pushUndo(s, 'abc', 'desc');
    expect(s.past).toEqual(['', 'abc']);
    const r = undo(s, 'abcd')!;
    expect(r.state).toBe('abc');
    // after an undo, the same key starts a new step
    const s2 = pushUndo(r.stack, 'abc', 'desc');
    expect(s2.past).toEqual(['', 'abc']);
  });

  it('keeps at most `limit` steps', () => {
    let s = createUndo<number>(3);
    for (let i = 0; i < 10; i++) s = pushUndo(s, i);
    expect(s.past).toEqual([7, 8, 9]);
  });
});
