import CodeMirror from '@uiw/react-codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { lintGutter } from '@codemirror/lint';
import { codeLinter } from './codeLint';

const extensions = [javascript(), codeLinter, lintGutter()];

export function CodeEditor({ value, onChange, height = '180px', readOnly }: { value: string; onChange: (v: string) => void; height?: string; readOnly?: boolean }) {
  return (
    <div className="code-editor">
      <CodeMirror
        value={value}
        height={height}
        extensions={extensions}
        onChange={onChange}
        readOnly={readOnly}
        basicSetup={{ lineNumbers: true, foldGutter: false, highlightActiveLine: true, autocompletion: true }}
      />
    </div>
  );
}
