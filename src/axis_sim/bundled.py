"""The scenarios and question sets that ship with the package, found by name.

`axis_sim/data/scenarios` and `axis_sim/data/questions` are installed with the package. In a
checkout they are symlinks to the repository's `scenarios/` and `questions/` (one copy of every
file), so a scenario's relative `extends:` and the backtest registry's `../scenarios/...` paths
work the same in a checkout and in an installed wheel.

A name is a file's stem: `baseline` is `scenarios/baseline.yaml`, `2022_02_to_2023_08` is
`questions/2022_02_to_2023_08.yaml`. A path that exists always wins over a name.

This module imports nothing heavy: the command line completes names with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUFFIXES = (".yaml", ".yml")
REGISTRY_NAME = "origins"  # questions/origins.yaml: the backtest registry, not a question set


def _data_dir(kind: str) -> Path:
    """`axis_sim/data/<kind>`, resolved; a checkout whose symlinks were not made (Git on
    Windows without symlink support) falls back to the repository's `<kind>/`."""
    packaged = HERE / "data" / kind
    if packaged.is_dir():
        return packaged.resolve()
    return HERE.parents[1] / kind


def scenarios_dir() -> Path:
    """The folder of the bundled scenarios (their `extends:` layers in subfolders)."""
    return _data_dir("scenarios")


def questions_dir() -> Path:
    """The folder of the bundled question sets and the backtest registry."""
    return _data_dir("questions")


def registry() -> Path:
    """The bundled backtest registry, `questions/origins.yaml`."""
    return questions_dir() / f"{REGISTRY_NAME}.yaml"


def _names(folder: Path, skip: tuple[str, ...] = ()) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir()
                  if p.suffix in SUFFIXES and p.is_file() and p.stem not in skip)


def scenario_names() -> list[str]:
    """Every bundled scenario's name (the layers under `record_2015/` are parts, not named)."""
    return _names(scenarios_dir())


def question_set_names() -> list[str]:
    """Every bundled question set's name (the registry, `origins`, is not one)."""
    return _names(questions_dir(), skip=(REGISTRY_NAME,))


def _find(folder: Path, name: str) -> Path | None:
    stem = name[: -len(suffix)] if (suffix := Path(name).suffix) in SUFFIXES else name
    if not stem or os.sep in stem or "/" in stem or stem.startswith("."):
        return None
    for suffix in SUFFIXES:
        if (candidate := folder / f"{stem}{suffix}").is_file():
            return candidate
    return None


def find_scenario(name: str) -> Path | None:
    """The bundled scenario called `name` (`baseline` or `baseline.yaml`), or None."""
    return _find(scenarios_dir(), name)


def find_question_set(name: str) -> Path | None:
    """The bundled question set called `name`, or None."""
    return _find(questions_dir(), name)


def resolve_scenario(value: str | os.PathLike[str]) -> Path:
    """A scenario argument as a path: an existing file as given, else the bundled scenario of
    that name, else the path unchanged (so the loader says what is wrong with it)."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        return path
    return find_scenario(str(value)) or path


def resolve_questions(value: str | os.PathLike[str]) -> Path:
    """`resolve_scenario` for question sets."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        return path
    return find_question_set(str(value)) or path


def is_bundled(path: Path) -> bool:
    """Whether `path` is one of the bundled files."""
    real = path.resolve()
    return any(real.is_relative_to(folder) for folder in (scenarios_dir(), questions_dir()))


# --- reading without the loader (fast enough for shell completion) -----------------------------


def _yaml(path: Path) -> Any:
    """A file's YAML, read as the loader reads files: only a regular file of sane size (a FIFO
    named on the command line must not block shell completion)."""
    import yaml

    from axis_sim.scenario.paths import read_regular

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(read_regular(path).decode("utf-8"), Loader=loader)  # a safe loader


def extends_of(path: Path) -> list[str]:
    """The `extends:` references of a scenario file, as written (relative to its folder)."""
    data = _yaml(path)
    raw = data.get("extends") if isinstance(data, dict) else None
    if isinstance(raw, str):
        return [raw]
    return [ref for ref in raw if isinstance(ref, str)] if isinstance(raw, list) else []


def with_parents(path: Path) -> list[tuple[Path, Path]]:
    """`path` and every file it `extends:`, transitively: (source, path relative to `path`'s
    folder), the file itself first, each file once. Only parents the loader would read are
    followed: inside `path`'s folder tree or the bundled library
    (`axis_sim.scenario.paths.extends_roots`), regular files."""
    from axis_sim.scenario.paths import extends_roots, file_problem, inside, path_problem

    base = path.parent
    roots = extends_roots(base)
    seen: dict[Path, Path] = {}
    stack = [(path, Path(path.name))]
    while stack:
        source, relative = stack.pop(0)
        real = source.resolve()
        if real in seen or file_problem(source) is not None:
            continue
        seen[real] = relative
        for ref in extends_of(source):
            if path_problem(ref) is not None or not inside(source.parent / ref, roots):
                continue
            target = source.parent / ref
            stack.append((target, Path(os.path.relpath(target, base))))
    return [(source, relative) for source, relative in seen.items()]


@dataclass(frozen=True)
class Entry:
    """One bundled file, for `axis-sim scenarios list`."""

    kind: str  # "scenario" or "questions"
    name: str
    path: Path
    title: str
    extends: tuple[str, ...]


def catalogue() -> list[Entry]:
    """Every bundled scenario and question set with its title (read from the file itself)."""
    entries = []
    for name in scenario_names():
        path = scenarios_dir() / f"{name}.yaml"
        data = _yaml(path) or {}
        meta = data.get("meta") or {}
        entries.append(Entry("scenario", name, path, str(meta.get("title", "")),
                             tuple(extends_of(path))))
    for name in question_set_names():
        path = find_question_set(name)
        assert path is not None
        data = _yaml(path) or {}
        meta = data.get("meta") or {}
        title = meta.get("title") or str(meta.get("description", "")).split(":")[0]
        entries.append(Entry("questions", name, path, " ".join(str(title).split()), ()))
    return entries


def portfolio_names(path: Path) -> list[str]:
    """Option ids and named portfolios a scenario file defines (its `extends:` included),
    for completing `--portfolios`."""
    names: dict[str, None] = {}
    try:
        files = with_parents(path)
    except Exception:  # a broken file completes nothing rather than raising in the shell
        return []
    for source, _ in files:
        try:
            data = _yaml(source) or {}
        except Exception:
            continue
        for section in ("options", "portfolios"):
            if isinstance(data.get(section), dict):
                names.update(dict.fromkeys(str(key) for key in data[section]))
    return list(names)
