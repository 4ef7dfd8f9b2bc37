export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/**
 * Fit goes no lower than this: node titles (13.5 px) are still about 9 px on screen and the
 * counters readable. A process too large for the screen at this zoom is shown from its start,
 * and the analyst scrolls (mouse wheel, the minimap or dragging the canvas) to the rest.
 */
export const MIN_FIT_ZOOM = 0.65;
export const MAX_FIT_ZOOM = 1.2;
/** Free space around the process on screen, in pixels. */
const MARGIN = 40;

/**
 * The viewport that shows `bounds` (the nodes, in flow coordinates) on a screen of `screen` size.
 * When all of it fits at a readable zoom, it is centred. Otherwise the zoom stays at MIN_FIT_ZOOM
 * and the view starts at the top of the process, centred on `focus` (the start node) sideways but
 * never past the process's own left or right edge.
 */
export function readableFit(bounds: Rect, screen: { width: number; height: number }, focus?: Rect): Viewport {
  const room = { width: Math.max(1, screen.width - 2 * MARGIN), height: Math.max(1, screen.height - 2 * MARGIN) };
  const whole = Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height), MAX_FIT_ZOOM);
  const zoom = Math.max(whole, MIN_FIT_ZOOM);
  const axis = (start: number, size: number, screenSize: number, roomSize: number, centre: number | null) => {
    if (size * zoom <= roomSize) return (screenSize - size * zoom) / 2 - start * zoom;
    if (centre === null) return MARGIN - start * zoom;
    const leftmost = screenSize - MARGIN - (start + size) * zoom;
    const rightmost = MARGIN - start * zoom;
    return Math.min(rightmost, Math.max(leftmost, screenSize / 2 - centre * zoom));
  };
  return {
    x: axis(bounds.x, bounds.width, screen.width, room.width, focus ? focus.x + focus.width / 2 : null),
    y: axis(bounds.y, bounds.height, screen.height, room.height, null),
    zoom,
  };
}
