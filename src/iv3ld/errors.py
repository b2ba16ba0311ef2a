"""The one error hierarchy of iv3ld.

::

    Iv3Error                     base of everything iv3ld raises on purpose
    ├── InputError               a file cannot be read as an Iv3 submission (exit 3)
    │   ├── FileTooLargeError    over the documented size limit (a workbook also
    │   │                        unpacked)
    │   ├── NotJsonError         not JSON; the message says line and column
    │   ├── WorkbookError        not the CBS Iv3 Excel model, or a cell of it cannot
    │   │                        be read; the message names sheet and cell
    │   ├── UnsupportedSubmissionError
    │   │                        readable, but no CBS definitions fit it
    │   │                        (unknown overheidslaag, boekjaar without definitions)
    │   └── DeliveryForbiddenError
    │                            a submission of a government the channel may not
    │                            deliver for (another government's token or source)
    ├── ConfigurationError       the installation or a setting is wrong
    └── StoreError               the store cannot do what was asked
        ├── StoreUnavailableError
        │                        cannot be opened or reached (locked, down)
        ├── QuerySyntaxError     a SPARQL query or update does not parse
        ├── QueryTimeoutError    a query ran past its time limit
        └── ResultTooLargeError  a query's result is over the size limit

Every input error carries the file it concerns and, where known, a JSON pointer or
(for a workbook) a cell such as ``5.Verdelingsmatrix lasten!F23``, so that the CLI
and (later) the HTTP API can say exactly where the problem is. The CBS error code
(SF001, SF888 …) is attached where one applies.
"""

from __future__ import annotations


class Iv3Error(Exception):
    """Base class of all errors iv3ld raises on purpose."""


class InputError(Iv3Error):
    """A file cannot be read as an Iv3 submission."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        pointer: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.pointer = pointer
        self.code = code

    def __str__(self) -> str:
        where = self.source or "input"
        if self.pointer:
            where = f"{where} at {self.pointer}"
        prefix = f"{self.code}: " if self.code else ""
        return f"{where}: {prefix}{self.message}"


class FileTooLargeError(InputError):
    """The file is larger than the configured limit."""


class NotJsonError(InputError):
    """The file is not valid JSON (or not valid Turtle for .ttl files)."""


class WorkbookError(InputError):
    """An Excel file is not the CBS Iv3 model, or a cell of it cannot be read.

    The message names the sheet and, where one is to blame, the cell; ``cell`` holds
    that reference (``5.Verdelingsmatrix lasten!F23``) for callers that show it apart.
    """

    def __init__(
        self, message: str, *, source: str | None = None, cell: str | None = None
    ) -> None:
        super().__init__(message, source=source)
        self.cell = cell


class UnsupportedSubmissionError(InputError):
    """The file is an Iv3 submission that no CBS definition file covers."""


class DeliveryForbiddenError(InputError):
    """The file is a submission of a government this channel may not deliver for."""


class ConfigurationError(Iv3Error):
    """A resource that ships with iv3ld is missing or broken, or a setting is wrong."""


class StoreError(Iv3Error):
    """The store (embedded or remote) cannot do what was asked."""


class StoreUnavailableError(StoreError):
    """The store cannot be opened or reached: locked by another process, or down."""


class QuerySyntaxError(StoreError):
    """A SPARQL query or update does not parse; the message is the parser's."""


class QueryTimeoutError(StoreError):
    """A query ran past its time limit."""


class ResultTooLargeError(StoreError):
    """A query's result has more solutions or triples than the limit allows."""
