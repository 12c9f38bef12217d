"""Where each key and array element of a TOML document is, by line.

``tomllib`` reports lines only for syntax errors. A policy that parses but means something
impossible (a negative due time, an unknown event kind) must still be refused with the line
to fix, so this scanner walks text that ``tomllib`` has already accepted and records the line
of every key path: ``("obligation", 2, "due", "working_days")`` for the ``working_days`` key
of the third ``[[obligation]]`` table, ``("obligation", 2, "satisfied_by", 0)`` for the first
element of its ``satisfied_by`` array. It is lenient: it assumes valid TOML.
"""

from __future__ import annotations

__all__ = ["KeyPath", "key_lines", "line_of"]

KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        #: how many times each array-of-tables header has been seen.
        self.table_counts: dict[tuple[str, ...], int] = {}

    # --- characters ---------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.text[j] if j < len(self.text) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.text) and self.text[self.i] == "\n":
                self.line += 1
            self.i += 1

    def skip_blank(self, *, newlines: bool) -> None:
        while self.i < len(self.text):
            ch = self.peek()
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.advance()
            elif ch == "#":
                while self.i < len(self.text) and self.peek() != "\n":
                    self.advance()
            else:
                return

    # --- pieces -------------------------------------------------------------------------------

    def string(self) -> str:
        quote = self.peek()
        if self.text.startswith(quote * 3, self.i):
            self.advance(3)
            end = self.text.find(quote * 3, self.i)
            end = len(self.text) if end < 0 else end
            while end + 3 < len(self.text) + 1 and self.text.startswith(quote, end + 3):
                end += 1  # a closing run may hold one or two quotes of the content
            start = self.i
            self.advance(end - self.i + 3)
            return self.text[start:end]
        self.advance()
        chars: list[str] = []
        while self.i < len(self.text) and self.peek() != quote:
            if quote == '"' and self.peek() == "\\":
                chars.append(self.peek(1))
                self.advance(2)
                continue
            chars.append(self.peek())
            self.advance()
        self.advance()
        return "".join(chars)

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            if self.peek() in "\"'":
                parts.append(self.string())
            else:
                start = self.i
                while self.peek() in _BARE and self.peek():
                    self.advance()
                parts.append(self.text[start : self.i])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.advance()

    def value(self, path: KeyPath) -> None:
        ch = self.peek()
        if ch in "\"'":
            self.string()
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            while self.peek() and self.peek() not in ",]}\n#":
                self.advance()

    def array(self, path: KeyPath) -> None:
        self.advance()  # [
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() in ("]", ""):
                self.advance()
                return
            self.lines.setdefault((*path, index), self.line)
            self.value((*path, index))
            index += 1
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()

    def inline_table(self, path: KeyPath) -> None:
        self.advance()  # {
        while True:
            self.skip_blank(newlines=True)
            if self.peek() in ("}", ""):
                self.advance()
                return
            self.key_value(path)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()

    def key_value(self, table: KeyPath) -> None:
        line = self.line
        parts = self.key()
        path = table
        for part in parts:
            path = (*path, part)
            self.lines.setdefault(path, line)
        self.skip_blank(newlines=False)
        if self.peek() == "=":
            self.advance()
        self.skip_blank(newlines=False)
        self.value(path)

    def header(self) -> KeyPath:
        double = self.text.startswith("[[", self.i)
        line = self.line
        self.advance(2 if double else 1)
        parts = self.key()
        self.advance(2 if double else 1)
        path: KeyPath = ()
        for depth, part in enumerate(parts):
            path = (*path, part)
            last = depth == len(parts) - 1
            # An enclosing array of tables continues at its latest element.
            count = self.table_counts.get(tuple(str(p) for p in path))
            if last and double:
                index = self.table_counts.get(tuple(str(p) for p in path), 0)
                self.table_counts[tuple(str(p) for p in path)] = index + 1
                self.lines.setdefault(path, line)
                path = (*path, index)
            elif count is not None:
                path = (*path, count - 1)
            self.lines.setdefault(path, line)
        return path

    def document(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.i >= len(self.text):
                return self.lines
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Every key path and array element in ``text`` (valid TOML), with its 1-based line."""
    return _Scanner(text).document()


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest enclosing key that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
