import { javascriptLanguage } from '@codemirror/lang-javascript';
import { linter, type Diagnostic } from '@codemirror/lint';
import { syntaxTree } from '@codemirror/language';
type Tree = ReturnType<typeof syntaxTree>;

/**
 * Code nodes run modern JavaScript (Jint 4: ES2020+, sloppy mode), and the editor's grammar
 * (lezer's JavaScript) knows all of it: let/const, arrows, template literals, destructuring,
 * classes, optional chaining, `??`. The lint reports only what that grammar cannot parse, so
 * modern syntax is never flagged; the server's validation on save has the last word.
 */
export function syntaxProblems(tree: Tree, length: number): Diagnostic[] {
  const problems: Diagnostic[] = [];
  tree.iterate({
    enter: (node) => {
      if (!node.type.isError) return;
      // An error node is often empty (a missing token): mark at least one character.
      const from = Math.min(node.from, Math.max(0, length - 1));
      problems.push({ from, to: Math.min(length, Math.max(node.to, from + 1)), severity: 'error', message: 'syntax error' });
    },
  });
  return problems;
}

/** The problems in a source as the editor would show them. */
export const lintSource = (source: string) => syntaxProblems(javascriptLanguage.parser.parse(source), source.length);

export const codeLinter = linter((view) => syntaxProblems(syntaxTree(view.state), view.state.doc.length));
