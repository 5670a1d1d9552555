"""The shape of the package (shared/DESIGN.md), checked so it stays that way.

- no import cycle, function-local imports included;
- no module over ~450 lines;
- the runtime (input → record) never imports the offline side or the tools;
- stages are given their models: only the pipeline and `classify` import the model modules;
- data owns every spelled word: no Han character in the code of `tables/`, `checks/` (docstrings aside);
- no ghosts: no `except ImportError` around the package's own modules, no `__file__` path tricks outside `config`.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "extractor"
MAX_LINES = 450
RUNTIME = ("extractor.input", "extractor.text", "extractor.tables", "extractor.classify", "extractor.narrative",
           "extractor.checks", "extractor.spec", "extractor.pipeline", "extractor.record", "extractor.confidence",
           "extractor.config")
OFFLINE = ("extractor.training", "extractor.review", "extractor.batch", "extractor.cli")
STAGES = ("extractor.input", "extractor.text", "extractor.tables", "extractor.narrative", "extractor.checks")
NO_WORDS = ("tables", "checks")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = p
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Package modules `name` imports anywhere in it (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES:
                t = t.rpartition(".")[0]
            if t and t != name and t.startswith("extractor") and t != "extractor":
                out.add(t)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def test_no_import_cycle():
    """Edges into a package's own __init__ re-exports are followed too: a cycle there is a cycle."""
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(n: str) -> None:
        seen[n] = 1
        stack.append(n)
        for m in sorted(GRAPH[n]):
            # a module importing its own package's __init__ (which re-exports it) is the package being built
            if _is_package(m) and n.startswith(m + "."):
                continue
            if seen.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in seen:
                visit(m)
        stack.pop()
        seen[n] = 2

    for n in sorted(GRAPH):
        if n not in seen:
            visit(n)
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    n = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{name} has {n} lines"


def test_the_runtime_never_imports_the_offline_side():
    bad = {n: sorted(m for m in GRAPH[n] if m.startswith(OFFLINE))
           for n in GRAPH if n.startswith(RUNTIME) or n == "extractor"}
    assert {n: ms for n, ms in bad.items() if ms} == {}


def test_stages_do_not_import_model_modules():
    """Stages receive the loaded models as arguments; only the pipeline asks the loader."""
    bad = {n: sorted(m for m in GRAPH[n] if m.startswith("extractor.classify"))
           for n in GRAPH if n.startswith(STAGES)}
    assert {n: ms for n, ms in bad.items() if ms} == {}
    askers = sorted(n for n, p in MODULES.items() if re.search(r"\bshipped\(\)", p.read_text(encoding="utf-8"))
                    and not n.startswith("extractor.classify"))
    assert askers == ["extractor.pipeline"]


def _code_strings(tree: ast.AST, src: str) -> list[tuple[int, str]]:
    """String literals that are not docstrings, as written in the source (an escape like \\u4e00 is not a word)."""
    docs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return [(n.lineno, ast.get_source_segment(src, n) or "") for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


@pytest.mark.parametrize("room", NO_WORDS)
def test_data_owns_every_spelled_word(room):
    found = []
    for p in sorted((PKG / room).rglob("*.py")):
        src = p.read_text(encoding="utf-8")
        for lineno, s in _code_strings(ast.parse(src), src):
            if _HAN.search(s):
                found.append(f"{p.relative_to(PKG)}:{lineno}: {s[:40]!r}")
    assert found == []


def _guards_import_error(node: ast.Try) -> bool:
    for h in node.handlers:
        names = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
        if any(isinstance(t, ast.Name) and t.id in ("ImportError", "ModuleNotFoundError") for t in names):
            return True
    return False


def test_no_ghosts():
    """No `except ImportError` or `hasattr` probe around the package's own modules; paths from `config`."""
    found = []
    for name, p in MODULES.items():
        src = p.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Try) and _guards_import_error(node):
                own = [n for stmt in node.body for n in ast.walk(stmt)
                       if isinstance(n, (ast.Import, ast.ImportFrom))
                       and any(x.startswith("extractor") for x in ([a.name for a in n.names] if isinstance(n, ast.Import)
                                                                  else [n.module or "extractor"]))
                       or isinstance(n, ast.ImportFrom) and n.level]
                if own:
                    found.append(f"{name}:{node.lineno}: except ImportError around the package's own modules")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr"
                    and isinstance(node.args[0], ast.Name) and f"import {node.args[0].id}" in src
                    and re.search(rf"from extractor[\w.]* import (?:\w+ as )?{node.args[0].id}\b|import extractor[\w.]* as {node.args[0].id}\b", src)):
                found.append(f"{name}:{node.lineno}: hasattr probe on a package module")
        if "__file__" in src and name != "extractor.config":
            found.append(f"{name}: uses __file__ (paths come from extractor.config)")
    assert found == []
