"""Read scenario files: safe YAML with positions, `extends:` inheritance, and clear errors.

The pipeline is `read_yaml` (one file -> plain data + where every value was written),
`resolve` (follow `extends:` and deep-merge parents under the child), and `load_scenario`
(validate against the pydantic schema and the semantic checks). Every failure is raised as one
`ScenarioError` whose problems carry file, line, column and the dotted field, so an author sees
`base.yaml:12:15: experiment.sampling: Input should be 'random', ... (got 'lhs')` instead of a
traceback.

YAML is composed into nodes and turned into data here rather than by `yaml.safe_load` because
the loader must (a) know the position of every value, (b) refuse duplicate keys, which PyYAML
silently overwrites, (c) bound alias expansion, which PyYAML does not, and (d) never construct
anything but plain strings, numbers, booleans, nulls, lists and mappings.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from axis_sim.scenario.errors import Problem, ScenarioError, show_value
from axis_sim.scenario.paths import (
    MAX_FILE_BYTES,
    UnreadableFile,
    extends_roots,
    file_problem,
    inside,
    outside_message,
    path_problem,
    read_regular,
)
from axis_sim.scenario.positions import mark_near as _mark_near
from axis_sim.scenario.positions import problem_at as _problem
from axis_sim.scenario.schema import DAY_PATTERN, EVIDENCE_DATE_PATTERN, Scenario
from axis_sim.text import CONTROL

__all__ = [
    "MAX_FILE_BYTES",
    "FileRecord",
    "Loc",
    "Mark",
    "Positions",
    "ScenarioOrigin",
    "dotted",
    "load_scenario",
    "load_scenario_text",
    "origin_of",
    "read_yaml",
    "read_yaml_text",
    "resolve",
    "resolve_text",
    "scenario_hash",
    "validate_data",
]

Loc = tuple[str | int, ...]
"""A path into scenario data: mapping keys and list indices, e.g. `("events", 2, "month")`."""

Mark = tuple[str, int, int]
"""Where something was written: (file name, 1-based line, 1-based column)."""

# A scenario file is a few thousand lines at most (the baseline: 87 KB, 4,600 YAML nodes);
# anything near these limits is a mistake or an attack, and saying so beats hanging or
# exhausting memory. MAX_FILE_BYTES lives in `paths`, which reads files.
MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 10_000
MAX_NODES = 50_000  # values, keys and collections in one file, counted while composing
MAX_LIST_ITEMS = 10_000  # items of one list
MAX_PARENTS = 32  # entries of one `extends:` list
MAX_FILES = 64  # distinct files one scenario may be built from

_T = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE, _VALUE = _T + "str", _T + "seq", _T + "map", _T + "merge", _T + "value"
# The YAML 1.1 scalar types `yaml.safe_load` itself would produce, minus binary (bytes are no
# scenario value). PyYAML's resolver tags a plain `=` as `value` and a plain `<<` as `merge`;
# outside a merge key both are read as text.
_SCALAR_TAGS = frozenset(
    _T + t for t in ("null", "bool", "int", "float", "str", "timestamp", "value", "merge")
)
_ALLOWED_TAGS_TEXT = "strings, numbers, booleans, null, dates, lists and mappings"


class Positions(dict[Loc, Mark]):
    """Where each value of a scenario was written, keyed by its `Loc`.

    The dict itself maps a path to the start of its *value*; `keys_at` maps the path of every
    mapping entry to the start of its *key*, which is where a message about an unknown or
    missing field should point (the value of `dist:` may start on the next line).
    """

    def __init__(self) -> None:
        super().__init__()
        self.keys_at: dict[Loc, Mark] = {}


# --- reading one file --------------------------------------------------------------------------


class _Abort(Exception):
    """Internal: stop building data at once (alias bomb, recursive alias, deep nesting)."""


class _Builder:
    """Turns a composed YAML node graph into plain data, recording positions and problems."""

    def __init__(self, name: str, echo: bool = True) -> None:
        self.name = name
        self.echo = echo
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()
        # Composition shares one node object between an anchor and each of its aliases, so a
        # node met a second time is an alias being expanded. Counting the values built beneath
        # aliases bounds a "billion laughs" document after a few thousand values, not a billion.
        self.seen: set[int] = set()
        self.expanded = 0
        self.active: set[int] = set()

    def shown(self, value: Any) -> str:
        """A value of the file for a message, or only "a value" when the file's content must
        not be echoed (a parent file, which may be no scenario at all)."""
        return show_value(value) if self.echo else "a value"

    def mark(self, node: Node) -> Mark:
        return (self.name, node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, node: Node, loc: Loc, message: str) -> None:
        _, line, column = self.mark(node)
        self.problems.append(Problem(self.name, line, column, dotted(loc), message))

    def abort(self, node: Node, loc: Loc, message: str) -> typing.NoReturn:
        self.problem(node, loc, message)
        raise _Abort

    def enter(self, node: Node, loc: Loc, in_alias: bool) -> bool:
        """Bookkeeping common to every node; returns whether it is built through an alias."""
        if len(loc) > MAX_DEPTH:
            self.abort(node, loc, f"nested more than {MAX_DEPTH} levels deep")
        if id(node) in self.seen:
            in_alias = True
        self.seen.add(id(node))
        if in_alias:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_EXPANSION:
                self.abort(
                    node,
                    loc,
                    f"aliases (*name) expand to more than {MAX_ALIAS_EXPANSION} values; "
                    "write the values out or use fewer aliases",
                )
        return in_alias

    def build(self, node: Node, loc: Loc, in_alias: bool = False) -> Any:
        in_alias = self.enter(node, loc, in_alias)
        self.positions[loc] = self.mark(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, loc)
        if id(node) in self.active:
            self.abort(node, loc, "an alias refers to a mapping or list that contains it")
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    self.bad_tag(node, loc)
                    return None
                if len(node.value) > MAX_LIST_ITEMS:
                    self.abort(node, loc, f"a list of {len(node.value)} items; at most "
                                          f"{MAX_LIST_ITEMS} are allowed in a scenario")
                return [self.build(item, (*loc, i), in_alias) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                if node.tag != _MAP:
                    self.bad_tag(node, loc)
                    return None
                return self.mapping(node, loc, in_alias)
        finally:
            self.active.discard(id(node))
        raise AssertionError(f"unknown YAML node {node!r}")  # pragma: no cover

    def bad_tag(self, node: Node, loc: Loc) -> None:
        # The tag is only reported, never looked up: constructing tagged objects is exactly
        # what must not happen with an untrusted file.
        self.problem(
            node,
            loc,
            f"the tag {_written(node.tag)} is not allowed; a scenario may only contain "
            f"{_ALLOWED_TAGS_TEXT}",
        )

    def scalar(self, node: ScalarNode, loc: Loc) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.bad_tag(node, loc)
            return None
        if node.tag in (_STR, _VALUE, _MERGE):
            bad = CONTROL.search(node.value)
            if bad:
                # A YAML escape ("\0", "\e") can put what the file may not hold raw into a
                # label, and from there into pages, Markdown and terminals.
                code = ord(bad.group())
                name = {0: " (NUL)", 0x1B: " (ESC)", 0x7F: " (DEL)"}.get(code, "")
                self.problem(node, loc, f"contains the control character U+{code:04X}{name}; "
                                        "text may hold tabs and line breaks, no other control "
                                        "characters")
                return None
            return node.value
        try:
            value = self.constructor.yaml_constructors[node.tag](self.constructor, node)
        except Exception:
            # An explicit `!!int abc` or `!!bool maybe` fails inside PyYAML with a bare
            # ValueError/KeyError; what the author needs is which value and which type.
            kind = node.tag.removeprefix(_T)
            message = f"{self.shown(node.value)} cannot be read as {kind}"
            if kind == "timestamp":
                message += ": no such day of the calendar (write a date as YYYY-MM-DD)"
            self.problem(node, loc, message)
            return None
        if isinstance(value, date):
            # pydantic should see dates as written text, as the schema's fields are strings.
            return value.isoformat()
        return value

    def key(self, node: Node, loc: Loc) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, loc, "a mapping key must be plain text, not a list or mapping")
            return None
        if node.tag not in _SCALAR_TAGS:
            self.bad_tag(node, loc)
            return None
        # The text as written: YAML 1.1 would turn the key `no` into False and `1.0` into 1.0,
        # but every key in a scenario is a name.
        return str(node.value)

    def entries(self, node: MappingNode, loc: Loc, depth: int = 0) -> Iterator[
        tuple[Node, Node, bool]
    ]:
        """The (key, value, explicit) pairs of a mapping with `<<:` merge keys flattened.

        Explicit entries come first so that they win over merged ones, as YAML 1.1 specifies.
        """
        merged: list[tuple[Node, Node, bool]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                yield key_node, value_node, True
                continue
            if depth > MAX_DEPTH:
                self.abort(key_node, loc, "merge keys (<<) nested too deeply")
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, MappingNode) or source.tag != _MAP:
                    self.problem(source, loc, "a merge key (<<) must refer to a mapping")
                    continue
                if id(source) in self.active:
                    self.abort(source, loc, "a merge key (<<) refers to a mapping that contains it")
                for entry in self.entries(source, loc, depth + 1):
                    self.expanded += 1
                    if self.expanded > MAX_ALIAS_EXPANSION:
                        self.abort(
                            key_node,
                            loc,
                            f"merge keys (<<) expand to more than {MAX_ALIAS_EXPANSION} values",
                        )
                    merged.append((entry[0], entry[1], False))
        yield from merged

    def mapping(self, node: MappingNode, loc: Loc, in_alias: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_at: dict[str, int] = {}
        for key_node, value_node, explicit in self.entries(node, loc):
            key = self.key(key_node, loc)
            if key is None:
                continue
            if key in result:
                if explicit and key in first_at:
                    self.problem(
                        key_node,
                        (*loc, key),
                        f"duplicate key {self.shown(key)} (first written on line "
                        f"{first_at[key]}); a key may appear only once in a mapping",
                    )
                continue
            if explicit:
                first_at[key] = key_node.start_mark.line + 1
            self.positions.keys_at[(*loc, key)] = self.mark(key_node)
            result[key] = self.build(value_node, (*loc, key), in_alias or not explicit)
        return result


def _written(tag: str) -> str:
    """A tag as an author would have written it: `!!python/object`, `!foo`."""
    return show_value("!!" + tag.removeprefix(_T) if tag.startswith(_T) else tag).strip("'\"")


def read_yaml(path: str | os.PathLike[str]) -> tuple[Any, Positions]:
    """Read one YAML file safely into plain data plus the position of every value.

    Returns `(data, positions)`: `data` is built only from dicts (string keys), lists, strings,
    ints, floats, bools and None (dates come back as ISO strings), and is always a dict.
    Raises `ScenarioError` for anything else: a missing or unreadable file, bytes that are not
    UTF-8, a YAML syntax error, tags, duplicate keys, alias bombs, an empty file, or a top
    level that is not a mapping.
    """
    name = str(path)
    return read_yaml_text(_read_text(Path(path), name), name)


def _read_text(path: Path, name: str) -> str:
    def fail(message: str, line: int | None = None, column: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(name, line, column, "", message)])

    try:
        raw = read_regular(path)
    except UnreadableFile as exc:
        raise fail(str(exc)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace"))
        raise fail(
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it with UTF-8 encoding",
            line,
            column + 1,
        ) from None


def read_yaml_text(text: str, name: str = "<string>", *,
                   echo: bool = True) -> tuple[Any, Positions]:
    """`read_yaml` for text already in memory; `name` is the file name used in problems.

    With `echo=False` no problem quotes the text's values: for a file read because another
    file named it (`extends:`), which may be anything on the machine, not a scenario.
    """
    try:
        root = _compose(text)
    except _TooManyNodes as exc:
        message = (f"more than {MAX_NODES} values in one file; a scenario has a few thousand "
                   "(split it, or remove what the model does not read)")
        raise ScenarioError([Problem(name, exc.line, exc.column, "", message)]) from None
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(exc, name)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"contains the character #x{ord(char):04x}, which YAML does not allow"
        raise ScenarioError([Problem(name, line, column, "", message)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        raise ScenarioError([Problem(name, None, None, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        # PyYAML composes nested collections recursively; only absurd nesting gets here.
        message = "nested too deeply to read (hundreds of levels of lists or mappings)"
        raise ScenarioError([Problem(name, None, None, "", message)]) from None

    if root is None:
        raise ScenarioError([Problem(name, None, None, "", "the file is empty")])
    builder = _Builder(name, echo)
    try:
        data = builder.build(root, ())
    except _Abort:
        data = None
    if builder.problems:
        # A bad value under an anchor is met again through each merge key that copies it.
        unique = dict.fromkeys(builder.problems)
        raise ScenarioError(sorted(unique, key=Problem.sort_key))
    if not isinstance(data, dict):
        _, line, column = builder.mark(root)
        what = ("a list" if isinstance(data, list) else f"the value {show_value(data)}" if echo
                else "a single value (its text is not shown)")
        message = (
            f"the top level should be a mapping of sections (meta:, context:, actors:, ...), "
            f"not {what}"
        )
        raise ScenarioError([Problem(name, line, column, "", message)])
    return data, builder.positions


class _TooManyNodes(Exception):
    """Internal: composing stopped at `MAX_NODES` (line and column where it stopped)."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line, self.column = line, column


class _CountingLoader(yaml.SafeLoader):
    """PyYAML's safe composer, stopped after `MAX_NODES` nodes: composing is lazy, so a huge
    file stops being scanned there instead of being read whole into millions of nodes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        self.nodes += 1
        if self.nodes > MAX_NODES:
            mark = self.peek_event().start_mark
            raise _TooManyNodes(mark.line + 1, mark.column + 1)
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


def _compose(text: str) -> Node | None:
    """`yaml.compose(text, Loader=SafeLoader)` with the node count bounded."""
    loader = _CountingLoader(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    if exc.problem == "but found another document":
        message = "a scenario file holds one YAML document, but a second one starts here (---)"
        return Problem(name, line, column, "", message)
    message = exc.problem or "invalid YAML"
    if exc.context:
        message = f"{message} ({exc.context}"
        if exc.context_mark is not None and exc.context_mark is not mark:
            message += f" at line {exc.context_mark.line + 1}"
        message += ")"
    if "'\\t'" in message:
        message += "; indent with spaces, YAML does not allow tabs"
    return Problem(name, line, column, "", f"YAML syntax error: {message}")


# --- extends -----------------------------------------------------------------------------------


FileRecord = dict[str, str]
"""A file a scenario was read from: `path` (as the loader names it), `absolute`, `sha256` of its
bytes, and `role` ("scenario" for the file loaded, "extends" for every parent)."""


def _record(files: list[FileRecord] | None, path: str | os.PathLike[str], name: str,
            text: str, role: str) -> None:
    if files is not None:
        files.append({"path": name, "absolute": os.path.realpath(path),
                      "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "role": role})


def resolve(path: str | os.PathLike[str], files: list[FileRecord] | None = None, *,
            allow_outside: bool = False,
            scenarios_only: bool = True) -> tuple[dict[str, Any], Positions]:
    """Read a scenario file and everything it `extends:`, deep-merged into one dict.

    `extends:` is a path or a list of paths, relative to the extending file's folder. Parents
    are resolved first (recursively) and merged in order, later parents over earlier ones;
    the child is merged over them all. Mappings merge key by key, except a parameter's `dist`,
    which the child replaces whole; lists and scalars from the merged-over side replace.
    Positions follow whichever file supplied each value. The result has no `extends` key.
    With `files`, every file read is appended to it (`FileRecord`), the loaded one first.

    A parent must lie in the loaded file's folder tree or the bundled scenario library
    (`axis_sim.scenario.paths`); `allow_outside=True` lifts that rule. Each parent is read and
    resolved once however often it is named (a diamond of repeated parents stays linear).

    With `scenarios_only` (the default), a file none of whose top-level keys is a scenario
    section (`meta:`, `context:`, ..., `extends:`) is refused whole, without a word of its
    content: an `extends:` pointing at `/etc/shadow` (whose lines YAML reads as mapping keys)
    must not have those keys listed back as "unknown key" errors.
    """
    name = str(path)
    problem = path_problem(name)
    if problem is not None:
        raise ScenarioError([Problem(show_value(name), None, None, "", problem)])
    text = _read_text(Path(path), name)
    _record(files, path, name, text, "scenario")
    data, positions = read_yaml_text(text, name)
    if scenarios_only and _not_a_scenario(data):
        raise ScenarioError([Problem(name, None, None, "", _NOT_A_SCENARIO)])
    resolver = _Resolver(extends_roots(Path(path).parent), allow_outside, files,
                         scenarios_only)
    return resolver.resolve(data, positions, Path(path).parent, name,
                            ((os.path.realpath(path), name),))


def resolve_text(
    text: str, name: str = "<string>", folder: str | os.PathLike[str] = ".",
    files: list[FileRecord] | None = None, *, allow_outside: bool = False,
    scenarios_only: bool = True,
) -> tuple[dict[str, Any], Positions]:
    """`resolve` for text in memory; its `extends:` paths are taken relative to `folder`,
    whose tree (with the bundled library) is where they may lead."""
    _record(files, os.path.join(folder, name), name, text, "scenario")
    data, positions = read_yaml_text(text, name)
    if scenarios_only and _not_a_scenario(data):
        raise ScenarioError([Problem(name, None, None, "", _NOT_A_SCENARIO)])
    resolver = _Resolver(extends_roots(folder), allow_outside, files, scenarios_only)
    return resolver.resolve(data, positions, Path(folder), name,
                            ((os.path.realpath(os.path.join(folder, name)), name),))


_SECTIONS = frozenset(Scenario.model_fields)
_NOT_A_SCENARIO = ("is not a scenario file: none of its top-level keys is a scenario section ("
                   + ", ".join(Scenario.model_fields) + "); nothing of it is shown")


def _not_a_scenario(data: dict[str, Any]) -> bool:
    """Whether none of the top-level keys is a scenario section (an empty file is reported as
    such when it is read)."""
    return not _SECTIONS.intersection(data)


Chain = tuple[tuple[str, str], ...]
"""The files being resolved, outermost first: (real path, name in problems)."""


@dataclass
class _Resolver:
    """Follows `extends:` for one load: where parents may lie, and each parent resolved once."""

    roots: tuple[Path, ...]
    allow_outside: bool
    files: list[FileRecord] | None
    scenarios_only: bool = True
    # Resolved parents by real path: a file named by many children (or many times by one) is
    # read, parsed and resolved once; without it, six files each extending the next twelve
    # times meant 12**5 reads.
    cache: dict[str, tuple[dict[str, Any], Positions]] = field(default_factory=dict)
    failed: dict[str, ScenarioError] = field(default_factory=dict)  # the same, for bad parents

    def resolve(self, data: dict[str, Any], positions: Positions, folder: Path, name: str,
                chain: Chain) -> tuple[dict[str, Any], Positions]:
        """`data` (read from `name`, in `folder`) merged over everything it extends."""
        if "extends" not in data:
            return data, positions

        problems: list[Problem] = []

        def problem_at(loc: Loc, message: str) -> None:
            line, column = _line_col(positions.get(loc))
            problems.append(Problem(name, line, column, dotted(loc), message))

        raw = data["extends"]
        refs: list[tuple[Any, Loc]] = []
        if isinstance(raw, str):
            refs.append((raw, ("extends",)))
        elif isinstance(raw, list):
            refs.extend((item, ("extends", i)) for i, item in enumerate(raw))
            if len(refs) > MAX_PARENTS:
                problem_at(("extends",), f"extends names {len(refs)} files; at most "
                                         f"{MAX_PARENTS} are allowed")
                refs = []
        else:
            problem_at(("extends",), "extends should be a file path or a list of file paths")

        merged: tuple[dict[str, Any], Positions] | None = None
        for ref, loc in refs:
            try:
                parent = self.parent(ref, folder, name, chain)
            except _Refused as refused:
                problem_at(loc, str(refused))
                continue
            except ScenarioError as exc:
                problems.extend(exc.problems)
                continue
            merged = parent if merged is None else _merge(*merged, *parent)
        if problems:
            raise ScenarioError(sorted(dict.fromkeys(problems), key=Problem.sort_key))

        child = {key: value for key, value in data.items() if key != "extends"}
        child_positions = Positions()
        _copy_positions((), child, positions, child_positions)
        if merged is None:  # `extends: []`
            return child, child_positions
        return _merge(*merged, child, child_positions)

    def parent(self, ref: Any, folder: Path, name: str,
               chain: Chain) -> tuple[dict[str, Any], Positions]:
        """The resolved parent `ref` (as written in `name`); `_Refused` says why not."""
        if not isinstance(ref, str) or not ref.strip():
            raise _Refused(f"extends should name a file, not {show_value(ref)}")
        problem = path_problem(ref)
        if problem is not None:
            raise _Refused(f"extends {show_value(ref)}: {problem}")
        target = folder / ref
        # Problems in the parent name it as the author wrote it, relative to the child.
        display = os.path.normpath(os.path.join(os.path.dirname(name), ref))
        where = os.path.realpath(target)
        # Checked before the file is opened or even stat-ed (realpath only follows the
        # symlinks on its way, which is how a link pointing outside is caught).
        if not self.allow_outside and not inside(where, self.roots):
            raise _Refused(outside_message(ref, self.roots))
        if any(where == seen for seen, _ in chain):
            names = " -> ".join([*(shown for _, shown in chain), display])
            raise _Refused(f"extends cycle: {names}")
        if where in self.cache:
            return self.cache[where]
        if where in self.failed:
            raise self.failed[where]
        problem = file_problem(target)
        if problem is not None:
            raise _Refused(f"extends {show_value(ref)}: {show_value(str(target), 300)} "
                           f"{problem}")
        if len(self.cache) >= MAX_FILES:
            raise _Refused(f"the scenario is built from more than {MAX_FILES} files; at "
                           "most that many are allowed")
        try:
            text = _read_text(target, display)
            _record(self.files, target, display, text, "extends")
            # A parent may be any file the rules above let through, not a scenario at all: its
            # reading problems never quote its content.
            data, positions = read_yaml_text(text, display, echo=False)
            if self.scenarios_only and _not_a_scenario(data):
                raise _Refused(f"{show_value(str(target), 300)} {_NOT_A_SCENARIO}")
            resolved = self.resolve(data, positions, target.parent, display,
                                    (*chain, (where, display)))
        except ScenarioError as exc:
            self.failed[where] = exc
            raise
        self.cache[where] = resolved
        return resolved


class _Refused(Exception):
    """Internal: an `extends:` entry that names no readable parent (the message says why)."""


def _merge(
    base: dict[str, Any], base_positions: Positions, over: dict[str, Any], over_positions: Positions
) -> tuple[dict[str, Any], Positions]:
    """Deep-merge `over` onto `base`, carrying each value's position from its own file."""
    out = Positions()
    merged = _merge_value((), base, base_positions, over, over_positions, out)
    return merged, out


# Mappings a child replaces whole instead of merging key by key: a distribution's keys belong
# together (its `kind` decides which apply), so a parent's triangular `mode` must not survive
# into a child's uniform distribution.
REPLACED_WHOLE = frozenset({"dist"})


def _merge_value(
    loc: Loc, base: Any, base_positions: Positions, over: Any, over_positions: Positions,
    out: Positions,
) -> Any:
    whole = bool(loc) and loc[-1] in REPLACED_WHOLE
    if whole or not (isinstance(base, dict) and isinstance(over, dict)):
        _copy_positions(loc, over, over_positions, out)
        return over
    for source in (base_positions, over_positions):  # the overriding file wins
        if loc in source:
            out[loc] = source[loc]
        if loc in source.keys_at:
            out.keys_at[loc] = source.keys_at[loc]
    result: dict[str, Any] = {}
    for key, value in base.items():
        if key in over:
            result[key] = _merge_value(
                (*loc, key), value, base_positions, over[key], over_positions, out
            )
        else:
            result[key] = value
            _copy_positions((*loc, key), value, base_positions, out)
    for key, value in over.items():
        if key not in base:
            result[key] = value
            _copy_positions((*loc, key), value, over_positions, out)
    return result


def _copy_positions(loc: Loc, value: Any, source: Positions, out: Positions) -> None:
    """Copy the positions of `value` (at `loc`) and everything inside it from `source`."""
    if loc in source:
        out[loc] = source[loc]
    if loc in source.keys_at:
        out.keys_at[loc] = source.keys_at[loc]
    if isinstance(value, dict):
        for key, item in value.items():
            _copy_positions((*loc, key), item, source, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _copy_positions((*loc, index), item, source, out)


# --- validation --------------------------------------------------------------------------------


def load_scenario(path: str | os.PathLike[str], *, allow_outside: bool = False) -> Scenario:
    """Load, resolve and validate a scenario file; raise `ScenarioError` listing every problem.

    Validation is the pydantic schema, then (only if that passes) the semantic checks of
    `axis_sim.scenario.checks`. Every problem is located in the file that supplied the value.
    The scenario remembers the files it was read from and their hashes (`ScenarioOrigin`).
    `allow_outside=True` lets `extends:` lead outside the file's folder tree and the bundled
    library (the CLI's `--allow-outside`).
    """
    files: list[FileRecord] = []
    data, positions = resolve(path, files, allow_outside=allow_outside)
    return _with_origin(_validate(data, positions, str(path)), str(path), files, positions)


def load_scenario_text(
    text: str, name: str = "<string>", folder: str | os.PathLike[str] = ".", *,
    allow_outside: bool = False,
) -> Scenario:
    """`load_scenario` for text in memory (tests, stdin); `extends:` is relative to `folder`."""
    files: list[FileRecord] = []
    data, positions = resolve_text(text, name, folder, files, allow_outside=allow_outside)
    return _with_origin(_validate(data, positions, name), name, files, positions)


@dataclass(eq=False)
class ScenarioOrigin:
    """Where a scenario came from: the files read (with hashes) and the edits made in code.

    Provenance, not content: it never makes two scenarios unequal, and `scenario_hash` ignores
    it. `positions` (where each value was written, for the checks of later edits) stays in
    the process that loaded the file; copies sent to worker processes leave it behind.
    """

    name: str  # the file loaded, as given (or the name of text loaded from memory)
    files: tuple[FileRecord, ...]  # every file read, the loaded one first
    content_hash: str  # `scenario_hash` of the scenario as loaded and edited
    edits: tuple[str, ...] = ()  # edits made in code, in order, e.g. "with_option('x', ...)"
    positions: Positions | None = None

    def __eq__(self, other: object) -> bool:
        if other is None or isinstance(other, ScenarioOrigin):
            return True
        return NotImplemented

    __hash__ = object.__hash__

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "positions": None}

    def __copy__(self) -> ScenarioOrigin:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ScenarioOrigin:
        return self

    def manifest(self, scenario: Scenario) -> dict[str, Any]:
        """The manifest's record of where `scenario` came from."""
        return {"loaded_from": self.name, "files": [dict(f) for f in self.files],
                "edits": list(self.edits),
                # Changed some other way (model_copy) after loading: the files no longer say
                # what ran; the scenario in the manifest does.
                "changed_after_loading": scenario_hash(scenario) != self.content_hash}


def origin_of(scenario: Scenario) -> ScenarioOrigin | None:
    """The scenario's `ScenarioOrigin`, or None for one built in code."""
    origin = scenario._origin
    return origin if isinstance(origin, ScenarioOrigin) else None


def _with_origin(scenario: Scenario, name: str, files: list[FileRecord], positions: Positions,
                 edits: tuple[str, ...] = ()) -> Scenario:
    scenario._origin = ScenarioOrigin(name, tuple(files), scenario_hash(scenario), edits,
                                      positions)
    return scenario


def validate_data(data: dict[str, Any], positions: Positions, file: str) -> Scenario:
    """Validate scenario data exactly as the loader does (schema, then every check), problems
    located by `positions` and named after `file`; raise `ScenarioError`. What the editing API
    (`scenario.with_parameter`, `with_option`) runs on an edited copy of a scenario's data."""
    return _validate(data, positions, file)


def scenario_hash(scenario: Scenario) -> str:
    """A stable fingerprint of a validated scenario, recorded with results to tie them to it.

    It hashes the resolved, validated content (defaults filled in), so two files that differ
    only in formatting, comments, key order or `extends:` layout hash the same.
    """
    payload = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _validate(data: dict[str, Any], positions: Positions, file: str) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = _schema_problems(exc.errors(include_url=False), data, positions, file)
        raise ScenarioError(sorted(problems, key=Problem.sort_key)) from None

    # The checks import the schema too; looked up at each call so that tests can replace them.
    from axis_sim.scenario.checks import date_problems, semantic_problems

    def origin(loc: Loc) -> str | None:
        """The file that wrote the value at `loc` (a parent's, for an inherited value)."""
        mark = positions.get(tuple(loc))
        return mark[0] if mark is not None else None

    problems = []
    found = [*semantic_problems(scenario), *date_problems(scenario, file, origin)]
    for loc, message in found:
        located = _locate(tuple(loc), data)
        field_loc = (*located.path, *located.unmatched)
        mark = _mark_near(located.path, data, positions, prefer_key=False)
        problems.append(_problem(mark, file, dotted(field_loc), message))
    if problems:
        raise ScenarioError(sorted(problems, key=Problem.sort_key))
    return scenario


class _Located(typing.NamedTuple):
    path: Loc  # the longest prefix of the error's loc that exists in the data
    unmatched: Loc  # loc parts not in the data (a missing key, a union branch's name)
    key_error: bool  # the error is about a mapping key itself (pydantic's "[key]")


def _locate(loc: tuple[Any, ...], data: Any) -> _Located:
    """Match a pydantic error `loc` against the data, skipping parts that are not in it.

    pydantic adds parts that are not in the data: the tag of a discriminated union
    (`dist.uniform.low`), the name of a union branch (`start.constrained-str`), `[key]` for
    errors in dict keys. Those are dropped; a part missing from the data (a missing key) and
    everything after it is kept aside as `unmatched`.
    """
    path: Loc = ()
    unmatched: list[Any] = []
    node = data
    key_error = False
    for part in loc:
        if part == "[key]":
            key_error = True
            continue
        if unmatched:
            unmatched.append(part)
            continue
        if part in _union_tags(_type_at(path, data, pick=False)):
            continue
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path = (*path, part)
        else:
            unmatched.append(part)
    return _Located(path, tuple(unmatched), key_error)


def _schema_problems(
    errors: list[ErrorDetails], data: dict[str, Any], positions: Positions, file: str
) -> list[Problem]:
    """One `Problem` per pydantic error; the errors of one union's branches become one."""
    problems: list[Problem] = []
    branch_messages: dict[Loc, list[str]] = {}
    branch_inputs: dict[Loc, tuple[bool, Any]] = {}
    for error in errors:
        located = _locate(tuple(error["loc"]), data)
        path = located.path
        kind = error["type"]
        message = humane(error)
        prefer_key = located.key_error
        field_loc = mark_loc = path
        value = error.get("input")
        show_input = _is_scalar(value) and not located.key_error
        hint = ""  # a did-you-mean, which reads best after the offending value

        if kind == "missing":
            name = located.unmatched[0] if located.unmatched else "?"
            field_loc = (*path, name)
            message = f"required key {show_value(name)} is missing"
            prefer_key, show_input = True, False
        elif kind == "extra_forbidden":
            allowed = list(_fields(_type_at(path[:-1], data)))
            message = f"unknown key {show_value(path[-1])}"
            message += did_you_mean(str(path[-1]), allowed)
            if allowed:
                message += f"; allowed keys: {', '.join(allowed)}"
            prefer_key, show_input = True, False
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            union = _type_at(path, data, pick=False)
            tags = sorted(_union_tags(union), key=_tag_order(union)) or _quoted(
                error.get("ctx", {}).get("expected_tags", "")
            )
            if kind == "union_tag_invalid":
                tag = str(error.get("ctx", {}).get("tag", ""))
                if (*path, "kind") in positions:
                    field_loc = mark_loc = (*path, "kind")
                message = f"unknown kind {show_value(tag)}" + did_you_mean(tag, tags)
            else:
                message = "missing `kind:`, which says which distribution this is"
                prefer_key = True
            message += f"; allowed kinds: {', '.join(tags)}"
            show_input = False
        elif located.key_error:
            message = f"key {show_value(path[-1] if path else '')}: {message}"
            if kind == "literal_error" and path:
                message += did_you_mean(str(path[-1]), _quoted(error["ctx"]["expected"]))
        elif kind == "literal_error" and isinstance(value, str):
            hint = did_you_mean(value, _quoted(error["ctx"]["expected"]))

        if located.unmatched and kind != "missing":
            # A branch of a plain union (e.g. `Month | int`): pydantic reports one error per
            # branch; the author needs one line saying what any branch would accept.
            branch_messages.setdefault(path, []).append(message)
            branch_inputs[path] = (show_input, value)
            continue
        if show_input:
            message += f" (got {show_value(value)})"
        message += hint
        mark = _mark_near(mark_loc, data, positions, prefer_key)
        problems.append(_problem(mark, file, dotted(field_loc), message))

    for path, messages in branch_messages.items():
        message = _join_alternatives(messages)
        show_input, value = branch_inputs[path]
        if show_input:
            message += f" (got {show_value(value)})"
        mark = _mark_near(path, data, positions, prefer_key=False)
        problems.append(_problem(mark, file, dotted(path), message))
    return problems


def pattern_hints(example_name: str, example_month: str) -> dict[str, str]:
    """What the schema's string patterns mean, in words, with examples from the file's domain."""
    return {
        r"^\d{4}-(0[1-9]|1[0-2])$": f"a month written YYYY-MM (e.g. {example_month})",
        DAY_PATTERN: f"a date written YYYY-MM-DD (e.g. {example_month}-01)",
        EVIDENCE_DATE_PATTERN: (
            f"a date written YYYY-MM-DD, or YYYY-MM for the first of the month (e.g. "
            f"{example_month}-01)"
        ),
        r"^[a-z][a-z0-9_]*$": (
            "a name of lowercase letters, digits and underscores starting with a letter "
            f"(e.g. {example_name})"
        ),
    }


_PATTERN_HINTS = pattern_hints("launch_rate", "2023-09")


def humane(error: ErrorDetails, hints: dict[str, str] = _PATTERN_HINTS) -> str:
    """pydantic's message with the parts that puzzle a YAML author rewritten."""
    kind = error["type"]
    message = str(error["msg"])
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in hints:
        return f"Input should be {hints[ctx['pattern']]}"
    if kind in ("value_error", "assertion_error"):
        return re.sub(r"^(Value|Assertion) error, ", "", message)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "Input should be a mapping (key: value lines)"
    if kind == "list_type":
        return "Input should be a list (- item lines, or [a, b])"
    return message


def _join_alternatives(messages: list[str]) -> str:
    prefix = "Input should be "
    if all(m.startswith(prefix) for m in messages):
        # pydantic explains its parse failure after a comma ("..., unable to parse string as
        # an integer"); with several alternatives only what is expected matters.
        wanted = [m.removeprefix(prefix).split(", unable to")[0] for m in messages]
        return prefix + " or ".join(dict.fromkeys(wanted))
    return " or ".join(dict.fromkeys(messages))


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _quoted(text: str) -> list[str]:
    """The values in pydantic's "'a', 'b' or 'c'" lists."""
    return re.findall(r"'([^']*)'", text)


def did_you_mean(word: str, choices: list[str]) -> str:
    """` (did you mean 'x'?)` for the closest choices, or ""."""
    close = difflib.get_close_matches(word, choices, n=2, cutoff=0.6)
    if not close:
        close = [c for c in choices if c.lower() == word.lower()]
    if not close:
        return ""
    return f" (did you mean {' or '.join(show_value(c) for c in close)}?)"


# --- walking the schema ------------------------------------------------------------------------


def _type_at(path: Loc, data: Any, pick: bool = True) -> Any:
    """The schema type of the value at `path` (a model class, dict[...], list[...], ...).

    Discriminated unions are resolved by the `kind` in the data; with `pick=False` the last
    union is returned as is (to list its kinds). None when the schema has no such place.
    """
    annotation: Any = Scenario
    node = data
    for part in path:
        annotation = _pick(annotation, node)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        elif typing.get_origin(annotation) is list:
            annotation = typing.get_args(annotation)[0]
        else:
            return None
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return _pick(annotation, node) if pick else _unwrap(annotation)


def _unwrap(annotation: Any) -> Any:
    """Strip `Annotated[...]` and `| None`."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if _is_union(annotation):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _pick(annotation: Any, node: Any) -> Any:
    """The member of a `kind`-discriminated union that `node` selects, else `annotation`."""
    annotation = _unwrap(annotation)
    if _is_union(annotation) and isinstance(node, dict):
        for member in typing.get_args(annotation):
            if node.get("kind") in _kind_values(member):
                return member
    return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _kind_values(member: Any) -> tuple[Any, ...]:
    if not (isinstance(member, type) and issubclass(member, BaseModel)):
        return ()
    field = member.model_fields.get("kind")
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return ()
    return typing.get_args(field.annotation)


def _union_tags(annotation: Any) -> set[str]:
    if not _is_union(annotation):
        return set()
    return {str(v) for member in typing.get_args(annotation) for v in _kind_values(member)}


def _tag_order(union: Any) -> typing.Callable[[str], int]:
    """Sort kinds in the order the schema declares them (fixed, uniform, ...)."""
    order = [str(v) for member in typing.get_args(union) for v in _kind_values(member)]
    return lambda tag: order.index(tag) if tag in order else len(order)


def _fields(annotation: Any) -> dict[str, Any]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return dict(annotation.model_fields)
    return {}


# --- helpers -----------------------------------------------------------------------------------


def dotted(loc: Loc) -> str:
    """`("events", 2, "month")` -> `events[2].month`: how a field is named in messages."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _line_col(mark: Mark | None) -> tuple[int | None, int | None]:
    return (mark[1], mark[2]) if mark is not None else (None, None)
