"""The package's shape, checked: ``python3 tests/check_structure.py`` prints every module over
450 lines, function over 80 lines, class over 350 lines and import cycle inside ``zonesim``
(imports inside functions count: a lazy import still ties two modules together), and exits 1
if there is any. ``tests/test_structure.py`` runs it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "model"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
MAX_CLASS_LINES = 350


def module_name(path: Path) -> str:
    parts = ["zonesim", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The zonesim modules that a module imports (a name imported from a package counts as its
    submodule when there is one)."""
    out = set()
    package = name if is_package else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                if sub in modules:
                    out.add(sub)
                elif base in modules:
                    out.add(base)
    out.discard(name)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def problems() -> list[str]:
    files = sorted(PACKAGE.rglob("*.py"))
    trees = {module_name(f): (f, ast.parse(f.read_text(), str(f))) for f in files}
    out = []
    for name, (f, tree) in trees.items():
        where = f.relative_to(PACKAGE.parent)
        lines = len(f.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            out.append(f"{where}: module of {lines} lines (limit {MAX_MODULE_LINES})")
        for node in ast.walk(tree):
            size = getattr(node, "end_lineno", 0) - getattr(node, "lineno", 0) + 1
            is_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            if is_function and size > MAX_FUNCTION_LINES:
                out.append(f"{where}:{node.lineno}: function {node.name} of {size} lines "
                           f"(limit {MAX_FUNCTION_LINES})")
            elif isinstance(node, ast.ClassDef) and size > MAX_CLASS_LINES:
                out.append(f"{where}:{node.lineno}: class {node.name} of {size} lines "
                           f"(limit {MAX_CLASS_LINES})")
    modules = set(trees)
    graph = {n: _imported(t, n, f.name == "__init__.py", modules) for n, (f, t) in trees.items()}
    # a package's __init__ re-exporting its submodules is not a cycle with them
    for n, (f, _) in trees.items():
        if f.name != "__init__.py":
            graph[n] = {m for m in graph[n] if not n.startswith(m + ".")}
    out += [f"import cycle: {' -> '.join(c)}" for c in _cycles(graph)]
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} structure problem(s) in {PACKAGE.name}/")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
