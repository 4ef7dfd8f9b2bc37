import { describe, expect, it } from 'vitest';
import { MAX_FIT_ZOOM, MIN_FIT_ZOOM, readableFit } from './fit';

const screen = { width: 870, height: 844 };

describe('readableFit', () => {
  it('centres a small process, at no more than the largest zoom', () => {
    const v = readableFit({ x: 0, y: 0, width: 200, height: 100 }, screen);
    expect(v.zoom).toBe(MAX_FIT_ZOOM);
    expect(v.x + 100 * v.zoom).toBeCloseTo(screen.width / 2);
    expect(v.y + 50 * v.zoom).toBeCloseTo(screen.height / 2);
  });

  it('shows all of a process that fits at a readable zoom', () => {
    const v = readableFit({ x: 100, y: 50, width: 1000, height: 900 }, screen);
    expect(v.zoom).toBeGreaterThanOrEqual(MIN_FIT_ZOOM);
    expect(v.x + 100 * v.zoom).toBeGreaterThanOrEqual(0);
    expect(v.x + 1100 * v.zoom).toBeLessThanOrEqual(screen.width);
    expect(v.y + 950 * v.zoom).toBeLessThanOrEqual(screen.height);
  });

  it('stops at the readable zoom for a large process and starts at its top, around the start node', () => {
    const bounds = { x: 0, y: 0, width: 1500, height: 2100 };
    const start = { x: 600, y: 0, width: 190, height: 100 };
    const v = readableFit(bounds, screen, start);
    expect(v.zoom).toBe(MIN_FIT_ZOOM);
    expect(v.y).toBe(40);
    expect(v.x + (start.x + start.width / 2) * v.zoom).toBeCloseTo(screen.width / 2);
  });

  it('does not scroll past the edge of the process to centre a start node near it', () => {
    const bounds = { x: 0, y: 0, width: 1500, height: 2100 };
    const v = readableFit(bounds, screen, { x: 1310, y: 0, width: 190, height: 100 });
    expect(v.x + 1500 * v.zoom).toBeCloseTo(screen.width - 40);
    const left = readableFit(bounds, screen, { x: 0, y: 0, width: 190, height: 100 });
    expect(left.x).toBeCloseTo(40);
  });
});
