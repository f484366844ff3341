"""Control characters in untrusted text: scenario files, what a seminar seat types.

One definition for the loader (which refuses them), the game records (which drop them from a
seat's free text) and the Markdown and after-action writers (which drop them from output).
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same and carriage return, for outputs written line by line (Markdown, page text).
OUTPUT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without control characters (tabs and line breaks kept)."""
    return CONTROL.sub("", text)
