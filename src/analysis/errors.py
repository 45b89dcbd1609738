"""One exception type for bad input, so every caller can print a single clear line."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input: names the file, the row and/or column or key, and what was expected."""

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        key: str | None = None,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.problem = problem
        self.row = row
        self.column = column
        self.key = key
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path.name if self.path.name else str(self.path))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.key is not None:
            where.append(f"key '{self.key}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem
