import { useMemo } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import type { FlowNode } from '../model/convert';
import { readableFit, type Rect } from '../model/fit';

/**
 * Fit for the toolbar, the canvas controls, opening a process and auto-layout: the whole process
 * when it can be read that way, else the readable zoom from the start node down (model/fit.ts).
 */
export function useReadableFit(): (options?: { duration?: number }) => void {
  const flow = useReactFlow<FlowNode>();
  const store = useStoreApi<FlowNode>();
  return useMemo(() => {
    function fit(options?: { duration?: number }, tries = 0) {
      const nodes = flow.getNodes();
      const { width, height } = store.getState();
      if (!nodes.length || !width || !height) return;
      // Just after a load or a layout the canvas has not measured the nodes yet: wait a few frames.
      if (nodes.some((n) => !n.measured?.width) && tries < 30) {
        requestAnimationFrame(() => fit(options, tries + 1));
        return;
      }
      const start = nodes.find((n) => n.data.def.type === 'start');
      const focus: Rect | undefined = start && { ...start.position, width: start.measured?.width ?? 0, height: start.measured?.height ?? 0 };
      void flow.setViewport(readableFit(flow.getNodesBounds(nodes), { width, height }, focus), { duration: options?.duration ?? 0 });
    }
    return (options?: { duration?: number }) => fit(options);
  }, [flow, store]);
}
