"""mkdocs hook: the configuration reference, generated at build time from the settings themselves.

``docs/configuration.md`` holds the marker below; this hook replaces it with one table per section
of ``config/settings.py``. The rows come from ``config.env.REGISTRY`` (name, type, default, help),
filled by importing the settings in a child process with an empty environment and a throw-away
``var/`` folder, so neither the builder's environment nor its files leak into the page. Sections
come from the ``# --- Name ---`` headers of the settings file. No Django setup, no manage.py.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MARKER = "<!-- configuration-reference -->"
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings.py"

_DUMP_REGISTRY = """
import json
import config.settings  # noqa: F401 (fills the registry)
from config.env import REGISTRY

print(json.dumps([
    {"name": v.name, "kind": v.kind, "default": v.shown_default(), "help": v.help,
     "choices": list(v.choices), "minimum": v.minimum, "literal": v.doc_default is None and v.shown_default() != "empty"}
    for v in REGISTRY.values()
]))
"""


def _registry() -> list[dict]:
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "CREATORSCOPE_VAR_DIR": str(Path(home) / "var")}
        result = subprocess.run(
            [sys.executable, "-c", _DUMP_REGISTRY], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    if result.returncode != 0:
        raise RuntimeError(f"reading the settings registry failed:\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1])


def _sections() -> dict[str, str]:
    """Variable name -> the settings section whose lines read it."""
    source = SETTINGS.read_text()
    headers = [
        (number, line.strip("# -").strip().split(" (")[0])
        for number, line in enumerate(source.splitlines(), start=1)
        if line.startswith("# --- ")
    ]
    sections = {}
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            before = [title for number, title in headers if number < node.lineno]
            sections[node.args[0].value] = before[-1] if before else "General"
    return sections


def _kind(variable: dict) -> str:
    if variable["choices"]:
        return "one of " + ", ".join(f"`{choice}`" for choice in variable["choices"])
    names = {"str": "text", "bool": "boolean", "int": "integer", "float": "number", "list": "comma list"}
    kind = names.get(variable["kind"], variable["kind"])
    if variable["minimum"] is not None:
        kind += f" ≥ {variable['minimum']:g}"
    return kind


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _default(variable: dict) -> str:
    # A literal default is a value to type; the others describe one ("REDIS_URL, else none").
    return f"`{_cell(variable['default'])}`" if variable["literal"] else _cell(variable["default"])


def reference_markdown() -> str:
    registry = _registry()
    sections = _sections()
    grouped: dict[str, list[dict]] = {}
    for variable in registry:
        grouped.setdefault(sections.get(variable["name"], "General"), []).append(variable)
    parts = [f"{len(registry)} variables, in the order `config/settings.py` reads them.\n"]
    for title, variables in grouped.items():
        parts.append(f"\n### {title}\n\n| variable | type | default | meaning |\n| --- | --- | --- | --- |")
        parts.extend(f"| `{v['name']}` | {_kind(v)} | {_default(v)} | {_cell(v['help'])} |" for v in variables)
    return "\n".join(parts) + "\n"


def on_page_markdown(markdown: str, page, config, files) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, reference_markdown())
