#!/usr/bin/env python3
"""Turns Workflows process definitions (JSON) into Graphviz DOT and renders PNG pictures.

    python3 processes/tools/graph.py processes/watch-shop            # one PNG per JSON file, next to it
    python3 processes/tools/graph.py processes/watch-shop/1-lead.json --dot   # print the DOT only

Nodes show their title and type; edges are labelled with the exit name. Needs Graphviz `dot` for PNGs.
"""
import json
import pathlib
import re
import subprocess
import sys

STYLE = {
    "start": ("ellipse", "#c8f7c5"),
    "final": ("doubleoctagon", "#e0e0e0"),
    "condition": ("diamond", "#fff3b0"),
    "code": ("box", "#dbe9ff"),
    "set_param": ("box", "#eef4ff"),
    "delay": ("box", "#ffe0c2"),
    "wait_callback": ("box", "#ffd6e7"),
    "copy_task": ("box", "#e6d9ff"),
    "call_process": ("box", "#e6d9ff"),
    "reply": ("box", "#e6d9ff"),
    "api": ("box", "#d9fff7"),
}


def strip_comments(text):
    return re.sub(r"^\s*//.*$", "", text, flags=re.M)


def esc(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def to_dot(definition):
    lines = [
        "digraph process {",
        '  graph [rankdir=TB, fontname="Helvetica", labelloc=t, fontsize=16, label="%s"];'
        % esc("%s  (conv_id %s%s)" % (definition.get("title", ""), definition.get("conv_id", "?"),
                                      ", @" + definition["alias"] if definition.get("alias") else "")),
        '  node [fontname="Helvetica", fontsize=10, style="filled,rounded"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for schedule in definition.get("schedules") or []:
        sid = "schedule_%d" % len([l for l in lines if "schedule_" in l])
        lines.append('  %s [shape=note, fillcolor="#ffffff", label="cron %s\\n%s"];'
                     % (sid, esc(schedule.get("cron", "")), esc(schedule.get("time_zone", "UTC"))))
        lines.append('  %s -> "start" [style=dashed];' % sid)
    for node in definition["nodes"]:
        kind = node.get("type", "")
        shape, colour = STYLE.get(kind, ("box", "#d9fff7" if "." in kind else "#ffffff"))
        title = node.get("title") or node["id"]
        result = (node.get("params") or {}).get("result") if kind == "final" else None
        label = "%s\\n[%s%s]" % (esc(title), esc(kind), ": " + esc(result) if result else "")
        if result == "error":
            colour = "#ffc9c9"
        lines.append('  "%s" [shape=%s, fillcolor="%s", label="%s"];' % (esc(node["id"]), shape, colour, label))
    for node in definition["nodes"]:
        for exit_name, target in (node.get("exits") or {}).items():
            style = ", style=dashed, color=\"#c0392b\"" if exit_name in ("error", "timeout") else ""
            lines.append('  "%s" -> "%s" [label="%s"%s];' % (esc(node["id"]), esc(target), esc(exit_name), style))
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(path, dot_only=False):
    definition = json.loads(strip_comments(path.read_text(encoding="utf-8")))
    dot = to_dot(definition)
    if dot_only:
        sys.stdout.write(dot)
        return
    png = path.with_suffix(".png")
    subprocess.run(["dot", "-Tpng", "-Gdpi=80", "-o", str(png)], input=dot.encode("utf-8"), check=True)
    print(png)


def main(args):
    dot_only = "--dot" in args
    targets = [pathlib.Path(a) for a in args if a != "--dot"] or [pathlib.Path(__file__).resolve().parent.parent]
    for target in targets:
        files = sorted(target.rglob("*.json")) if target.is_dir() else [target]
        for f in files:
            render(f, dot_only)


if __name__ == "__main__":
    main(sys.argv[1:])
