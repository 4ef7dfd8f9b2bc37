import { useCallback, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import {
  Background, ControlButton, Controls, MarkerType, MiniMap, ReactFlow, useReactFlow,
  type Connection, type EdgeChange, type FinalConnectionState, type NodeChange, type NodeTypes,
} from '@xyflow/react';
import { connect, disconnect, toFlowEdges, toFlowNodes, type FlowEdge, type FlowNode } from '../../model/convert';
import { useShallow } from 'zustand/react/shallow';
import { MIN_FIT_ZOOM } from '../../model/fit';
import { importMarks } from '../../model/importNotes';
import { canvasView, useEditor } from '../../store/editor';
import { DND_TYPE } from './Palette';
import { WfNode } from './WfNode';

const nodeTypes: NodeTypes = { wf: WfNode };

// Markers scale with the edge's stroke width (markerUnits=strokeWidth): the thicker path (3) and
// selected (2.5) edges get smaller ones, in their colour, so all arrows look the same size.
const MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16 };
const PATH_MARKER = { type: MarkerType.ArrowClosed, width: 6, height: 6, color: '#16a34a' };
const SELECTED_MARKER = { type: MarkerType.ArrowClosed, width: 7, height: 7, color: '#4f46e5' };

interface Props {
  onAddNode: (type: string, position: { x: number; y: number }) => void;
  /** The readable fit (hooks/useReadableFit), also behind the controls' fit button. */
  onFit: (options?: { duration?: number }) => void;
  /** Where the minimap goes: outside the canvas, so it never covers a node. */
  minimapSlot: HTMLElement | null;
}

/** The workflow canvas. The definition in the store is the source of truth; nodes and edges are derived. */
export function Canvas({ onAddNode, onFit, minimapSlot }: Props) {
  const s = useEditor(useShallow(canvasView));
  const { screenToFlowPosition } = useReactFlow();
  const { def, readOnly } = s;
  // xyflow needs the measured size back on every node object we hand it.
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const dragging = useRef(false);

  const marks = useMemo(() => importMarks(def), [def]);
  const nodes: FlowNode[] = useMemo(() => {
    if (!def) return [];
    const selected = new Set(s.selectedNodes);
    return toFlowNodes(def, s.catalog).map((n) => ({
      ...n,
      selected: selected.has(n.id),
      measured: measured[n.id],
      draggable: !readOnly,
      data: {
        ...n.data,
        hasError: !readOnly && !!s.errors.byNode[n.id]?.length,
        onPath: !!s.path?.nodes.has(n.id),
        breakpoint: s.breakpoints.includes(n.id),
        debugHere: s.debugAt === n.id,
        importNotes: marks.byNode[n.id],
      },
    }));
  }, [def, s.catalog, s.selectedNodes, measured, readOnly, s.errors, s.path, s.breakpoints, s.debugAt, marks]);

  const edges: FlowEdge[] = useMemo(() => {
    if (!def) return [];
    const selected = new Set(s.selectedEdges);
    const flowEdges = toFlowEdges(def);
    // Edges leaving one node bend at different heights, so their labels do not sit on one line.
    const bySource = new Map<string, string[]>();
    for (const e of flowEdges) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e.id]);
    const stepPosition = (e: FlowEdge) => {
      const siblings = bySource.get(e.source) ?? [];
      return siblings.length < 2 ? 0.5 : 0.3 + (0.4 * siblings.indexOf(e.id)) / (siblings.length - 1);
    };
    return flowEdges.map((e) => {
      const onPath = !!s.path?.edges.has(e.id);
      const exit = e.data?.exit ?? '';
      const cls = [exit === 'error' ? 'edge-error' : '', onPath ? 'edge-path' : ''].filter(Boolean).join(' ');
      return {
        ...e,
        selected: selected.has(e.id),
        animated: onPath,
        className: cls || undefined,
        markerEnd: onPath ? PATH_MARKER : selected.has(e.id) ? SELECTED_MARKER : MARKER,
        labelBgPadding: [4, 2] as [number, number],
        labelBgBorderRadius: 4,
        pathOptions: { stepPosition: stepPosition(e) },
        deletable: !readOnly,
      };
    });
  }, [def, s.selectedEdges, s.path, readOnly]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const st = useEditor.getState();
      const dims: Record<string, { width: number; height: number }> = {};
      const positions: Record<string, { x: number; y: number }> = {};
      let selection: Set<string> | null = null;
      let dragEnded = false;
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) dims[c.id] = c.dimensions;
        else if (c.type === 'position' && c.position) {
          positions[c.id] = c.position;
          if (c.dragging === false) dragEnded = true;
        } else if (c.type === 'select') {
          selection ??= new Set(st.selectedNodes);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
      }
      if (Object.keys(dims).length) setMeasured((m) => ({ ...m, ...dims }));
      if (Object.keys(positions).length && !st.viewing) {
        if (!dragging.current) {
          st.checkpoint();
          dragging.current = true;
        }
        st.replace((d) => ({
          ...d,
          nodes: d.nodes.map((n) => (positions[n.id] ? { ...n, x: Math.round(positions[n.id].x), y: Math.round(positions[n.id].y) } : n)),
        }));
        if (dragEnded) dragging.current = false;
      }
      if (selection) st.select([...selection], useEditor.getState().selectedEdges);
    },
    [],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    const st = useEditor.getState();
    let selection: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'select') {
        selection ??= new Set(st.selectedEdges);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (selection) st.select(useEditor.getState().selectedNodes, [...selection]);
  }, []);

  const onConnect = useCallback((c: Connection) => {
    if (!c.sourceHandle || !c.target) return;
    useEditor.getState().change((d) => connect(d, c.source, c.sourceHandle!, c.target));
  }, []);

  // Dropping a connection anywhere on a node (not only on its top handle) connects to it.
  const onConnectEnd = useCallback((event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromHandle || state.fromHandle.type !== 'source' || !state.fromNode) return;
    const point = 'changedTouches' in event ? event.changedTouches[0] : event;
    if (!point) return;
    const el = document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__node');
    const target = el?.getAttribute('data-id');
    const exit = state.fromHandle.id;
    const source = state.fromNode.id;
    if (!target || !exit) return;
    const st = useEditor.getState();
    if (st.def?.nodes.find((n) => n.id === target)?.type === 'start') return;
    st.change((d) => connect(d, source, exit, target));
  }, []);

  const onDelete = useCallback(({ nodes: ns, edges: es }: { nodes: FlowNode[]; edges: FlowEdge[] }) => {
    const ids = new Set(ns.map((n) => n.id));
    useEditor.getState().change((d) => {
      let out = d;
      for (const e of es) out = disconnect(out, e.source, e.sourceHandle ?? e.data?.exit ?? '');
      if (ids.size) {
        out = {
          ...out,
          nodes: out.nodes
            .filter((n) => !ids.has(n.id))
            .map((n) => {
              const exits = Object.fromEntries(Object.entries(n.exits ?? {}).filter(([, t]) => !ids.has(t)));
              return { ...n, exits };
            }),
        };
      }
      return out;
    });
    useEditor.getState().select([], []);
  }, []);

  return (
    <div
      className={`canvas${readOnly ? ' read-only' : ''}`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(DND_TYPE)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
        }
      }}
      onDrop={(e) => {
        const type = e.dataTransfer.getData(DND_TYPE);
        if (!type || readOnly) return;
        e.preventDefault();
        onAddNode(type, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
      }}
    >
      <ReactFlow<FlowNode, FlowEdge>
        colorMode="system"
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={readOnly ? undefined : onConnect}
        onConnectEnd={readOnly ? undefined : onConnectEnd}
        onDelete={readOnly ? undefined : onDelete}
        onPaneClick={() => useEditor.getState().select([], [])}
        nodesConnectable={!readOnly}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        fitView
        fitViewOptions={{ padding: 0.2, minZoom: MIN_FIT_ZOOM, maxZoom: 1.2 }}
        // The wheel scrolls a large process (Ctrl + wheel or a pinch zooms), as in a long page.
        panOnScroll
        minZoom={0.2}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
        defaultEdgeOptions={{ type: 'smoothstep' }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton title="Fit" aria-label="fit view" onClick={() => onFit({ duration: 300 })}>⤢</ControlButton>
        </Controls>
        {minimapSlot && createPortal(
          <MiniMap pannable zoomable nodeStrokeWidth={3} style={{ width: 176, height: 120 }} bgColor="var(--surface)" maskColor="var(--minimap-mask)" nodeColor="var(--border-strong)" ariaLabel="Minimap" />,
          minimapSlot,
        )}
      </ReactFlow>
    </div>
  );
}
