"""Parsing a workbook where a hostile file can do no harm: in a process under a memory limit.

python-calamine builds each sheet as a dense grid from its first to its last cell, so one cell
at XFD1048576 asks for 512 GiB, and a zip member that expands to gigabytes is read whole; when
an allocation fails, the Rust code aborts the whole process. sheet_guard.py refuses what a file
declares; this module bounds what it actually does:

- a process that runs one import and nothing else (the import job's own process started by the
  worker, the `import_roster` command, the benchmark) limits its own address space with
  `limit_memory()` and parses in place: if the file is hostile, only that process ends;
- any other process (the web server, which reads dues and study-hour files during a request)
  parses in a short-lived child, `python -m chuangxian.roster_io.parse_child`, that limits its
  own address space and CPU time first, reads the file from stdin and sends the sheets back
  through stdout as pickled chunks of rows. The parent unpickles them with an unpickler that
  only knows the cell types (dates and times), so even a child taken over by a file could send
  nothing but data.

This module imports nothing from Django at module level: the child starts in a bare
interpreter (python-calamine and the standard library only), which takes a few tens of ms.
"""

import io
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Rows per message from the child.
CHUNK_ROWS = 5000
# CPU seconds a parsing child may use (a 100,000-row .xlsx takes about one).
CHILD_CPU_SECONDS = 120
_HEADER = struct.Struct("<Q")
_limited_to: int | None = None

Grid = list[list[Any]]
Sheets = list[tuple[str, Grid]]


class ParseFailed(ValueError):
    """The file could not be parsed; the message says why, in Chinese."""


def memory_budget() -> int:
    """Bytes a parse (or a whole import process) may add to its address space."""
    from django.conf import settings

    return int(settings.IMPORT_MEMORY_LIMIT_MB) * 1024 * 1024


def limit_memory(budget: int | None = None) -> None:
    """Limit this process's address space to what it uses now plus `budget` bytes (the
    setting IMPORT_MEMORY_LIMIT_MB by default); from then on workbooks are parsed in place.
    For processes that run one import and nothing else."""
    global _limited_to
    budget = memory_budget() if budget is None else budget
    _limited_to = _set_address_space_limit(budget)


def memory_limited() -> bool:
    return _limited_to is not None


def parse_workbook(content: bytes) -> Sheets:
    """Every sheet of an .xlsx or .xls as (name, rows of cells), leading empty rows kept (row
    numbers stay those of Excel). Raises ParseFailed with a Chinese reason."""
    if memory_limited():
        try:
            return _parse(content)
        except MemoryError as error:
            raise ParseFailed(_too_big_message()) from error
    return _parse_in_child(content)


def _parse(content: bytes) -> Sheets:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [
            (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names
        ]
    except MemoryError:
        raise
    except Exception as error:  # calamine raises several unrelated types for broken files
        raise ParseFailed(f"无法打开Excel文件：{error}") from error


def _parse_in_child(content: bytes) -> Sheets:
    budget = memory_budget()
    package_root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
    }
    # Our own module and arguments, no shell: nothing from the upload reaches the command line.
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "chuangxian.roster_io.parse_child", str(budget)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        try:
            process.stdin.write(content)
            process.stdin.close()
        except BrokenPipeError:
            pass  # the child ended early; its exit status says why
        sheets, error = _receive(process.stdout)
    finally:
        process.stdout.close()
        returncode = process.wait()
    if error is not None:
        raise ParseFailed(error)
    if returncode != 0 or sheets is None:
        raise ParseFailed(_too_big_message())
    return sheets


def _receive(stream: Any) -> tuple[Sheets | None, str | None]:
    sheets: Sheets = []
    while True:
        header = stream.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return None, None  # the child died before it said it was done
        (size,) = _HEADER.unpack(header)
        payload = stream.read(size)
        if len(payload) < size:
            return None, None
        kind, value = _CellUnpickler(io.BytesIO(payload)).load()
        if kind == "sheet":
            sheets.append((str(value), []))
        elif kind == "rows" and sheets:
            sheets[-1][1].extend(value)
        elif kind == "error":
            return None, str(value)
        elif kind == "done":
            return sheets, None
        else:
            return None, None


class _CellUnpickler(pickle.Unpickler):
    """Unpickles lists, strings and numbers, and the date and time types calamine returns;
    refuses any other class (a pickle naming one could run code)."""

    ALLOWED = frozenset(("datetime", name) for name in ("date", "datetime", "time", "timedelta"))

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected class {module}.{name}")


def _too_big_message() -> str:
    return (
        f"文件解析时超出内存上限（{memory_budget() // (1024 * 1024)}MB）或被中止，"
        "可能是损坏或恶意构造的文件（例如有单元格位于极远的行列），未导入任何数据。"
        "请把数据复制到新的工作簿后重新上传"
    )


def _set_address_space_limit(budget: int) -> int | None:
    import resource

    try:
        pages = Path("/proc/self/statm").read_text().split()[0]
        in_use = int(pages) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        in_use = 0
    limit = in_use + budget
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def _child_main(budget: int) -> int:
    """The child: limit memory and CPU, parse stdin, send the sheets. Exit status 0 once
    "done" (or an "error" with its reason) is sent; killed or aborted otherwise."""
    import resource

    _set_address_space_limit(budget)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, cpu_hard))
    out = sys.stdout.buffer
    content = sys.stdin.buffer.read()
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        del content
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            _send(out, ("sheet", name))
            for start in range(0, len(rows), CHUNK_ROWS):
                _send(out, ("rows", rows[start : start + CHUNK_ROWS]))
            del rows
    except MemoryError:
        return 3
    except Exception as error:  # calamine raises several unrelated types for broken files
        _send(out, ("error", f"无法打开Excel文件：{error}"))
        out.flush()
        return 0
    _send(out, ("done", None))
    out.flush()
    return 0


def _send(out: Any, message: tuple[str, Sequence[Any] | str | None]) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(payload)))
    out.write(payload)


if __name__ == "__main__":
    sys.exit(_child_main(int(sys.argv[1])))
