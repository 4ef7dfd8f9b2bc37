using System.Collections;
using System.Reflection;
using Jint.Parser.Ast;
using Jint.Runtime.Debugger;

namespace Workflows.Engine.Scripting;

/// <summary>
/// Finds where a script can repeat itself: the body of every loop and of every function. The
/// memory guard sets a Jint breakpoint there, so it runs once per iteration or call instead of at
/// every statement. The AST of Jint 2.x mixes fields and properties, so it is walked by reflection,
/// once per distinct script.
/// </summary>
static class GuardPoints
{
    public static BreakPoint[] Of(Program program, bool skipWrapper)
    {
        var points = new List<BreakPoint>();
        var seen = new HashSet<SyntaxNode>(ReferenceEqualityComparer.Instance);
        var wrapper = skipWrapper ? WrapperBody(program) : null;
        Walk(program, node =>
        {
            var body = node switch
            {
                ForStatement f => f.Body,
                ForInStatement f => f.Body,
                WhileStatement w => w.Body,
                DoWhileStatement d => d.Body,
                FunctionDeclaration f => f.Body,
                FunctionExpression f when !ReferenceEquals(f.Body, wrapper) => f.Body,
                _ => null,
            };
            if (body?.Location is { } at) points.Add(new BreakPoint(at.Start.Line, at.Start.Column));
        }, seen);
        return [.. points];
    }

    /// <summary>The body of the function a code script is wrapped in (see ScriptHost): not the user's own.</summary>
    static Statement? WrapperBody(Program program) =>
        program.Body.FirstOrDefault() is ExpressionStatement { Expression: CallExpression { Callee: FunctionExpression wrapper } } ? wrapper.Body : null;

    static void Walk(SyntaxNode node, Action<SyntaxNode> visit, HashSet<SyntaxNode> seen)
    {
        if (!seen.Add(node)) return;
        visit(node);
        foreach (var child in Children(node))
            Walk(child, visit, seen);
    }

    static IEnumerable<SyntaxNode> Children(SyntaxNode node)
    {
        foreach (var read in Readers(node.GetType()))
        {
            switch (read(node))
            {
                case SyntaxNode child: yield return child; break;
                case IEnumerable list and not string:
                    foreach (var item in list)
                        if (item is SyntaxNode child) yield return child;
                    break;
            }
        }
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<object, object?>[]> ReadersByType = new();

    /// <summary>The members of an AST node type that can hold child nodes.</summary>
    static Func<object, object?>[] Readers(Type type) => ReadersByType.GetOrAdd(type, t =>
    [
        .. t.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => MayHoldNodes(f.FieldType)).Select(f => (Func<object, object?>)f.GetValue),
        .. t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && MayHoldNodes(p.PropertyType)).Select(p => (Func<object, object?>)p.GetValue),
    ]);

    static bool MayHoldNodes(Type type) =>
        typeof(SyntaxNode).IsAssignableFrom(type)
        || (type.IsArray ? typeof(SyntaxNode).IsAssignableFrom(type.GetElementType()) : type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type));
}
