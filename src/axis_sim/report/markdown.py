r"""How text from a scenario, a questions file or a game reaches a Markdown file.

Markdown passes HTML through: a scenario title `<script>…</script>` written as is into
`brief.md` runs in any viewer that renders Markdown to HTML without sanitising it. The rule,
for every Markdown file the project writes (`brief.md`, the seminar's after-action report,
`backtest.md`): `<`, `>` and `&` are written as the HTML entities `&lt;`, `&gt;`, `&amp;`
(`escape`), which every Markdown renderer shows as the characters, and no tag, entity or
autolink can take effect (so `onmouseover=` and friends are plain words: there is no tag to
carry them). A `](` or `]:` is written `]\(` / `]\:`, so text cannot make an inline link or a
link reference definition (`[x](javascript:…)`). NUL and the other control characters
(but tab and newline) are removed: they have no place in text and some viewers act on them.
Nothing else is changed, so `*`, `_` and backquotes in a label keep their Markdown meaning
(emphasis is harmless).

- `escape`: the rule itself, for text that stays on its line.
- `inline`: one line of text (newlines folded to spaces), escaped.
- `cell`: a table cell: `inline`, and `|` escaped so the cell cannot split.
- `document`: a whole Markdown document built from the project's own Markdown syntax and
  untrusted text: every line escaped, except the lines of fenced code blocks (see `fence`).
- `fence`: a fenced code block whose fence is longer than any run of backquotes inside, so the
  text cannot end it early; the text must already be escaped where it is untrusted (a code
  block shows entities literally, so `<` stays readable only outside code).
"""

from __future__ import annotations

import re

from axis_sim.text import OUTPUT_CONTROL  # dropped, not escaped

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "](": "]\\(", "]:": "]\\:"}
_SPECIAL = re.compile(r"[&<>]|\]\(|\]:")
_BACKQUOTES = re.compile(r"`+")
_FENCE = re.compile(r"^(`{3,}|~{3,})")


def escape(text: object) -> str:
    """`text` with `&`, `<` and `>` as HTML entities, `](` and `]:` backslash-escaped and
    control characters removed: shown as written by any Markdown renderer, never read as a
    tag, an entity, an autolink or a link."""
    return _SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], OUTPUT_CONTROL.sub("", str(text)))


def inline(text: object) -> str:
    """Text on one Markdown line: whitespace runs (newlines among them) folded, escaped."""
    return escape(" ".join(str(text).split()))


def cell(text: object) -> str:
    """Text for a Markdown table cell: `inline`, pipes escaped, never empty."""
    return inline(text).replace("|", "\\|") or " "


def fence(text: str, info: str = "") -> list[str]:
    """`text` as the lines of a fenced code block (opening fence, the text, closing fence), the
    fence one backquote longer than the longest run of backquotes in `text` (at least three)."""
    longest = max((len(run) for run in _BACKQUOTES.findall(text)), default=0)
    marks = "`" * max(3, longest + 1)
    return [f"{marks}{info}", *text.split("\n"), marks]


def document(lines: list[str]) -> str:
    """A Markdown document from its lines: every line outside a fenced code block escaped
    (the project's own Markdown syntax uses none of `&`, `<`, `>`, `](`, `]:`), the fenced
    blocks as they are but for control characters (their text is escaped where it is
    untrusted; see `fence`). Lines may hold newlines; the document ends with one newline."""
    out: list[str] = []
    closing: str | None = None
    # Control characters go from the code blocks too (escape drops them from the rest).
    for line in OUTPUT_CONTROL.sub("", "\n".join(lines)).split("\n"):
        if closing is None:
            match = _FENCE.match(line)
            if match:
                closing = match.group(1)
                out.append(line)
            else:
                out.append(escape(line))
        else:
            out.append(line)
            if line.strip() == closing:
                closing = None
    return "\n".join(out).rstrip("\n") + "\n"
