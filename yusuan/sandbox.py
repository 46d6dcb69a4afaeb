"""Parsing inside limits: a function that reads a PDF runs in a child process with a memory and a
time limit, so a hostile file (a decompression bomb, a page that never ends) costs that report only.

The child is forked (a plain fork), so it starts at once with everything imported. What it returns is pickled back;
a child that dies (out of memory inside pdfium, killed at the time limit, or by a signal) gives a
`LimitExceeded` with the reason in words, and the caller records it as the report's rejection.
"""

from __future__ import annotations

import gc
import os
import pickle
import resource
import select
import signal
import time
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
    # (resident memory; YUSUAN_PARSE_MEMORY_MB)
    memory_mb: int = DEFAULT_MEMORY_MB
    seconds: float = DEFAULT_SECONDS  # wall time of one stage of one report (YUSUAN_PARSE_SECONDS)

    @classmethod
    def from_env(cls, memory_mb: int = 0, seconds: float = 0) -> Limits:
        return cls(memory_mb=memory_mb or int(os.environ.get("YUSUAN_PARSE_MEMORY_MB") or DEFAULT_MEMORY_MB),
                   seconds=seconds or float(os.environ.get("YUSUAN_PARSE_SECONDS") or DEFAULT_SECONDS))


class LimitExceeded(Exception):
    """The child exceeded a limit or died; str() is the reason to record."""


def _status(field: str, pid: int | str = "self") -> int:
    """A size from /proc/PID/status (VmSize, VmRSS) in bytes; 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# the address-space ceiling is only a backstop, far above the limit: a process that reaches it may
# die where it cannot grow its stack; the limit itself is watched on the resident memory
_BACKSTOP = 4


def _backstop(limits: Limits) -> None:
    """The address-space ceiling of the child, never above one set outside (ulimit -v on a shared host or a batch
    system): the child may lower its limits, never raise them."""
    limit = _status("VmSize") + _BACKSTOP * limits.memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def outer_limit_mb() -> int | None:
    """The address-space limit set outside yusuan (ulimit -v), in MB; None when there is none."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft // (1024 * 1024)


def _child(write_fd: int, limits: Limits, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """In the forked child: run, send the pickled outcome, and leave without running the parent's exit handlers."""
    # what the child inherited is never collected here: the parent's garbage may hold native handles
    # (database connections, threads) that are only valid in the parent
    gc.freeze()
    try:
        try:
            _backstop(limits)
            outcome: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            outcome = ("memory", None)
        except BaseException as e:  # the parent decides what the error means
            # a library's own words for an allocation refused under the limit
            outcome = ("memory", None) if "allocate" in str(e).lower() else (
                "error", (type(e).__name__, str(e)[:500], traceback.format_exc()[-2000:]))
        try:
            data = pickle.dumps(outcome)
        except Exception as e:
            data = pickle.dumps(("error", (type(e).__name__, f"the result could not be sent back: {e}", "")))
        with os.fdopen(write_fd, "wb") as f:
            f.write(data)
    finally:
        os._exit(0)


def run_limited(fn: Callable[..., T], *args: Any, limits: Limits) -> T:
    """fn(*args) in a forked child within `limits`. Raises LimitExceeded, or ChildError carrying the
    child's own exception type and message. A plain fork, so it works from any process (a celery
    worker's pool process, which may not start multiprocessing children, included)."""
    read_fd, write_fd = os.pipe()
    resident = _status("VmRSS")  # what the child starts with: the parent's pages, shared
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        _child(write_fd, limits, fn, args)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limits.seconds
    try:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read_fd], [], [], min(max(left, 0), 0.05))
            if not ready:
                if _status("VmRSS", pid) - resident > limits.memory_mb * 1024 * 1024:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    raise LimitExceeded(_memory_reason(limits))
                if left > 0:
                    continue
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise LimitExceeded(f"parsing took longer than the limit of {limits.seconds:g} s "
                                    "(raise it with YUSUAN_PARSE_SECONDS)")
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        raise LimitExceeded(_death(-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status), limits))
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "ok":
        result: T = value
        return result
    if kind == "memory":
        raise LimitExceeded(_memory_reason(limits))
    name, message, _ = value
    raise ChildError(name, message)


class ChildError(RuntimeError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def _memory_reason(limits: Limits) -> str:
    outer = outer_limit_mb()
    also = (f"; the process also runs under an address-space limit of {outer} MB set outside yusuan (ulimit -v), "
            "which may be the one reached") if outer is not None else ""
    return (f"parsing needed more memory than the limit of {limits.memory_mb} MB (a page or stream inflates "
            f"beyond it; raise the limit with YUSUAN_PARSE_MEMORY_MB){also}")


def _death(code: int | None, limits: Limits) -> str:
    if code is not None and code < 0:
        sig = signal.Signals(-code).name
        if -code in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL):
            return (f"the PDF library crashed while parsing ({sig}), most likely out of memory under the limit "
                    f"of {limits.memory_mb} MB (YUSUAN_PARSE_MEMORY_MB)")
        return f"the parsing process died ({sig})"
    return f"the parsing process ended without a result (exit code {code})"
