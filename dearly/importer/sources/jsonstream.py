"""A JSON document read piece by piece: an object's keys and an array's elements one at a
time, each value decoded by the standard library's C decoder. A 500 MB export is never in
memory whole, only the value being read. No database code.

    stream = JSONStream(handle, path)
    for key in stream.members():      # the top-level object
        if key == "posts":
            for _ in stream.elements():
                post = stream.value()
        else:
            stream.skip()
    stream.end()

Broken or truncated JSON raises SourceError "path:line: reason"."""

import json

from .records import SourceError

CHUNK = 1 << 20  # characters read at a time
_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


class JSONStream:
    def __init__(self, handle, path):
        self.handle = handle
        self.path = str(path)
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.lines_before = 0  # line breaks in the text already dropped from the buffer

    # --- reading -----------------------------------------------------------------------

    def _more(self, size=CHUNK):
        """Read on (dropping what was read already); False at the end of the file."""
        if self.eof:
            return False
        try:
            data = self.handle.read(size)
        except UnicodeDecodeError as error:
            raise SourceError(self.path, None, f"not UTF-8 text ({error.reason})") from None
        if not data:
            self.eof = True
            return False
        if self.pos:
            self.lines_before += self.buffer.count("\n", 0, self.pos)
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        self.buffer += data
        return True

    def _peek(self):
        """The next character that is not a space ("" at the end), not consumed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def _expect(self, char):
        found = self._peek()
        if found != char:
            raise self._unexpected(found, f"“{char}”")
        self.pos += 1

    def _unexpected(self, found, wanted):
        if not found:
            return self.truncated()
        return self.error(f"broken JSON: {wanted} expected, found “{found}”")

    def value(self):
        """The next value, decoded whole."""
        self._peek()
        size = CHUNK
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self._more(size):  # the value may go on in what is not read yet
                    size *= 2
                    continue
                if error.pos >= len(self.buffer.rstrip()) or error.msg.startswith("Unterminated"):
                    raise self.truncated() from None
                raise self.error(f"broken JSON: {error.msg}", error.pos) from None
            except RecursionError:
                raise self.error("broken JSON: nested too deeply") from None
            scalar = not isinstance(value, dict | list | str)
            if scalar and end == len(self.buffer) and self._more():
                continue  # a number may go on in the next piece
            self.pos = end
            return value

    def members(self):
        """The keys of the object that starts here, in order; read or skip each one's value
        (value(), skip(), members(), elements()) before asking for the next."""
        self._expect("{")
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            if self._peek() != '"':
                raise self._unexpected(self._peek(), "a key")
            key = self.value()
            self._expect(":")
            yield key
            found = self._peek()
            self.pos += 1
            if found == "}":
                return
            if found != ",":
                raise self._unexpected(found, "“,” or “}”")

    def elements(self):
        """One step per element of the array that starts here; read or skip each."""
        self._expect("[")
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            yield
            found = self._peek()
            self.pos += 1
            if found == "]":
                return
            if found != ",":
                raise self._unexpected(found, "“,” or “]”")

    def kind(self):
        """ "object", "array" or "value": what comes next."""
        found = self._peek()
        return {"{": "object", "[": "array"}.get(found, "value")

    def skip(self, depth=0):
        """Read past the next value, holding at most one element of it (a table's row) at a
        time."""
        kind = self.kind() if depth < 2 else "value"
        if kind == "object":
            for _ in self.members():
                self.skip(depth + 1)
        elif kind == "array":
            for _ in self.elements():
                self.skip(depth + 1)
        else:
            self.value()

    def end(self):
        """Check that nothing but spaces follows the document."""
        found = self._peek()
        if found:
            raise self.error(f"broken JSON: “{found}” after the end of the document")

    # --- messages ----------------------------------------------------------------------

    def line(self, pos=None):
        pos = self.pos if pos is None else pos
        return self.lines_before + self.buffer.count("\n", 0, pos) + 1

    def error(self, reason, pos=None):
        return SourceError(self.path, self.line(pos), reason)

    def truncated(self):
        return SourceError(
            self.path,
            self.line(len(self.buffer)),
            "the JSON ends before it is complete: the export is cut short (download it again)",
        )
