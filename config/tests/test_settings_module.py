"""config/settings.py reads top to bottom: each name assigned once, nothing patched later.

And every variable it reads is in config.env's registry, which the configuration reference in the
documentation is generated from.
"""

import ast
import importlib.util
from collections import Counter
from pathlib import Path

import config.settings
from config.env import REGISTRY

SETTINGS = Path(config.settings.__file__)
ROOT = SETTINGS.parents[1]
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_float", "env_list", "env_json", "env_choice"}
# Methods that change a list or dict in place: a section that calls one on a name defined elsewhere
# is patching it after the fact.
MUTATING_METHODS = {"append", "extend", "insert", "update", "setdefault", "pop", "remove", "clear", "__setitem__"}


def _module_level_statements(body):
    """Statements run at import time: the module body and the blocks of its if/for/with/try."""
    for node in body:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _module_level_statements(getattr(node, field, []))
        for handler in getattr(node, "handlers", []):
            yield from _module_level_statements(handler.body)


def _bound_names(target):
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _bound_names(element)
    elif isinstance(target, ast.Starred):
        yield from _bound_names(target.value)


def _assignments_and_mutations(source: str) -> tuple[Counter, list[str]]:
    bound: Counter = Counter()
    mutations = []
    for node in _module_level_statements(ast.parse(source).body):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For):
            targets = [node.target]
        elif isinstance(node, ast.With):
            targets = [item.optional_vars for item in node.items if item.optional_vars]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound[node.name] += 1
            continue
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound[(alias.asname or alias.name).split(".")[0]] += 1
            continue
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr in MUTATING_METHODS
        ):
            mutations.append(f"line {node.lineno}: {ast.unparse(node)}")
            continue
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Subscript | ast.Attribute):
                mutations.append(f"line {node.lineno}: {ast.unparse(node).splitlines()[0]}")
            bound.update(_bound_names(target))
        if isinstance(node, ast.AugAssign):
            # x += ... changes a name that must already be bound: a second assignment by definition.
            bound.update(_bound_names(node.target))
    return bound, mutations


def _env_reads(source: str) -> list[str]:
    return [
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ENV_HELPERS
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def test_each_module_level_name_is_assigned_once():
    bound, _ = _assignments_and_mutations(SETTINGS.read_text())
    assert [name for name, count in bound.items() if count > 1] == []


def test_no_setting_is_patched_after_its_definition():
    _, mutations = _assignments_and_mutations(SETTINGS.read_text())
    assert mutations == []


def test_the_check_catches_a_second_assignment_and_a_patch():
    source = (
        "A = 1\nif A:\n    B = 2\nelse:\n    B = 3\nC = [1]\nC += [2]\nD = {}\nD['x'] = 1\nE = []\nE.insert(0, 1)\n"
    )
    bound, mutations = _assignments_and_mutations(source)
    assert sorted(name for name, count in bound.items() if count > 1) == ["B", "C"]
    assert [line.split(":")[0] for line in mutations] == ["line 9", "line 11"]


def test_every_variable_is_read_once_and_recorded_with_help():
    reads = _env_reads(SETTINGS.read_text())
    assert [name for name, count in Counter(reads).items() if count > 1] == []
    # Reads are unconditional, so whatever the environment, importing the settings recorded them all.
    assert sorted(REGISTRY) == sorted(reads)
    assert [name for name, variable in REGISTRY.items() if not variable.help.strip()] == []


def test_the_configuration_reference_is_generated_from_the_registry():
    spec = importlib.util.spec_from_file_location("docs_configuration", ROOT / "docs" / "hooks" / "configuration.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)

    page = hook.on_page_markdown(f"# Configuration\n\n{hook.MARKER}\n", page=None, config=None, files=None)

    assert hook.MARKER not in page
    assert [name for name in REGISTRY if f"| `{name}` |" not in page] == []
    # Defaults are the embedded ones, whatever the environment of whoever builds the docs.
    assert "| `REDIS_URL` | text | empty |" in page
    assert "### Upstreams" in page
