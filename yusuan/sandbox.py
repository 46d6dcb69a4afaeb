"""Parsing inside limits: a function that reads a PDF runs in a child process with a memory and a
time limit, so a hostile file (a decompression bomb, a page that never ends) costs that report only.

The child is forked, so it starts at once with everything imported. What it returns is pickled back;
a child that dies (out of memory inside pdfium, killed at the time limit, or by a signal) gives a
`LimitExceeded` with the reason in words, and the caller records it as the report's rejection.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_MEMORY_MB = 2048
DEFAULT_SECONDS = 600.0


@dataclass(frozen=True)
class Limits:
    # memory the parsing of one report may take beyond what its process holds when it starts
    # (address space; YUSUAN_PARSE_MEMORY_MB)
    memory_mb: int = DEFAULT_MEMORY_MB
    seconds: float = DEFAULT_SECONDS  # wall time of one stage of one report (YUSUAN_PARSE_SECONDS)

    @classmethod
    def from_env(cls, memory_mb: int = 0, seconds: float = 0) -> Limits:
        return cls(memory_mb=memory_mb or int(os.environ.get("YUSUAN_PARSE_MEMORY_MB") or DEFAULT_MEMORY_MB),
                   seconds=seconds or float(os.environ.get("YUSUAN_PARSE_SECONDS") or DEFAULT_SECONDS))


class LimitExceeded(Exception):
    """The child exceeded a limit or died; str() is the reason to record."""


def _address_space() -> int:
    """The bytes of address space this process holds now (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(conn: Any, limits: Limits, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    limit = _address_space() + limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("ok", fn(*args)))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as e:  # the parent decides what the error means
        if "allocate" in str(e).lower():  # a library's own words for an allocation refused under the limit
            conn.send(("memory", None))
        else:
            conn.send(("error", (type(e).__name__, str(e)[:500], traceback.format_exc()[-2000:])))
    finally:
        conn.close()


def run_limited(fn: Callable[..., T], *args: Any, limits: Limits) -> T:
    """fn(*args) in a forked child within `limits`. Raises LimitExceeded, or RuntimeError carrying the
    child's own exception type and message."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, limits, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(limits.seconds):
            proc.kill()
            proc.join()
            raise LimitExceeded(f"parsing took longer than the limit of {limits.seconds:g} s "
                                "(raise it with YUSUAN_PARSE_SECONDS)")
        try:
            kind, value = parent.recv()
        except EOFError:
            proc.join()
            raise LimitExceeded(_death(proc.exitcode, limits)) from None
    finally:
        parent.close()
    proc.join()
    if kind == "ok":
        result: T = value
        return result
    if kind == "memory":
        raise LimitExceeded(_memory_reason(limits))
    name, message, _ = value
    if name == "MemoryError":
        raise LimitExceeded(_memory_reason(limits))
    raise ChildError(name, message)


class ChildError(RuntimeError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def _memory_reason(limits: Limits) -> str:
    return (f"parsing needed more memory than the limit of {limits.memory_mb} MB (a page or stream inflates "
            "beyond it; raise the limit with YUSUAN_PARSE_MEMORY_MB)")


def _death(code: int | None, limits: Limits) -> str:
    if code is not None and code < 0:
        sig = signal.Signals(-code).name
        if -code in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL):
            return (f"the PDF library crashed while parsing ({sig}), most likely out of memory under the limit "
                    f"of {limits.memory_mb} MB (YUSUAN_PARSE_MEMORY_MB)")
        return f"the parsing process died ({sig})"
    return f"the parsing process ended without a result (exit code {code})"
