import { describe, expect, it } from 'vitest';
import { shallow } from 'zustand/shallow';
import { sampleDefinition } from '../model/fixtures';
import { canvasView, editorPageView, useEditor } from './editor';

// The editor page and the canvas select their view with useShallow: a live-counter push must leave
// both views shallow-equal (no re-render), while an edit must not.
describe('editor views', () => {
  const summary = {
    conv_id: 1, title: 't', description: null, alias: null, status: 'active', broken: null, version: 1, hash: 'h',
    public_url: '/api/1/json/public/1/h', tasks: 0, created_at: '', changed_at: '',
  };

  it('do not change when live counters arrive', async () => {
    await useEditor.getState().load(summary, sampleDefinition());
    useEditor.getState().setLive(true);
    const page = editorPageView(useEditor.getState());
    const canvas = canvasView(useEditor.getState());
    useEditor.getState().setCounters({ conv_id: 1, nodes: { start: { now: 3, entered: 5, left: 2 } }, sums: {} });
    expect(shallow(editorPageView(useEditor.getState()), page)).toBe(true);
    expect(shallow(canvasView(useEditor.getState()), canvas)).toBe(true);
  });

  it('change when the definition is edited', async () => {
    await useEditor.getState().load(summary, sampleDefinition());
    const page = editorPageView(useEditor.getState());
    const canvas = canvasView(useEditor.getState());
    useEditor.getState().change((d) => ({ ...d, title: 'renamed' }));
    expect(shallow(editorPageView(useEditor.getState()), page)).toBe(false);
    expect(shallow(canvasView(useEditor.getState()), canvas)).toBe(false);
  });
});
