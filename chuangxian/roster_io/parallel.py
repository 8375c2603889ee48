"""Running part of a CPU-bound, database-free computation in a forked child process.

The importer validates 100,000 rows in pure Python; on a machine with two or more cores a child
process takes one part of the rows while the parent takes the other (and does the database
work). Only `fork` is used: the child inherits the parsed sheet without copying or pickling it,
and it starts at once. When fork is unsafe or unavailable — not Linux, a single core, other
threads running in this process (a threaded web server, a connection pool: forking a process
with threads can leave locks held forever in the child), or a daemonic multiprocessing worker —
`ForkedChunks` computes everything in this process instead.

The child never touches the database: it computes, pickles its result through a pipe and ends
with os._exit (multiprocessing's fork start method), so it runs no atexit handlers and never
closes the database connections it inherited (closing them would end the parent's session). The
parent's connections stay open, so a caller inside a transaction keeps it. If the child fails
or dies, the parent computes what it did not deliver: the outcome never depends on whether
the child helped.
"""

import collections
import contextlib
import ctypes
import fcntl
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_PR_SET_PDEATHSIG = 1
PIPE_BYTES = 1 << 20
logger = logging.getLogger(__name__)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def end_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process (SIGKILL) when its parent `parent_pid` dies, and end
    now if it already has: a killed import leaves no helper behind, blocked forever on a pipe
    nobody reads (Linux only; the setting is not inherited across fork, so each child asks)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def fork_is_safe() -> bool:
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and usable_cores() >= 2
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


class ForkedChunks(Generic[T]):
    """`compute(task)` for each of `tasks`, in order, run in a forked child that sends each
    result as soon as it has it. `results()` yields them in order; whatever the child
    does not deliver (it failed or died) is computed here instead, so the results are always
    complete and the same."""

    def __init__(
        self,
        compute: Callable[[Any], T],
        tasks: list[Any],
        process: Any = None,
        conn: Connection | None = None,
    ) -> None:
        self._compute = compute
        self._tasks = tasks
        self._process = process
        self._conn = conn
        self._received: collections.deque[Any] = collections.deque()
        self._expected = len(tasks) if conn is not None else 0  # messages still to come

    @classmethod
    def start(
        cls, compute: Callable[[Any], T], tasks: list[Any], *, fork: bool = True
    ) -> "ForkedChunks[T]":
        """Start the child when asked and fork is safe; otherwise `results()` computes
        everything here."""
        if not fork or not tasks or not fork_is_safe():
            return cls(compute, tasks)
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        # Anything still buffered would be written a second time by the child.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.flush()
        process = context.Process(
            target=_run_child, args=(sender, compute, tasks, os.getpid()), daemon=True
        )
        try:
            process.start()
        except OSError as error:  # out of processes or memory: compute it here instead
            logger.warning("roster import: could not start a helper process: %s", error)
            receiver.close()
            sender.close()
            return cls(compute, tasks)
        sender.close()
        with contextlib.suppress(OSError):  # a roomier pipe: the child blocks less often
            fcntl.fcntl(receiver.fileno(), _F_SETPIPE_SZ, PIPE_BYTES)
        return cls(compute, tasks, process, receiver)

    @property
    def forked(self) -> bool:
        return self._process is not None

    def drain(self) -> None:
        """Take the results the child has finished so far, so that it does not wait for the
        pipe to be read (call this between pieces of the caller's own work)."""
        while self._expected and self._conn is not None and self._conn.poll(0):
            value = self._receive()
            if value is _NOTHING:
                break
            self._received.append(value)

    def results(self) -> Iterator[T]:
        try:
            for task in self._tasks:
                value = self._received.popleft() if self._received else self._receive()
                yield self._compute(task) if value is _NOTHING else value
        finally:
            self.close()

    def _receive(self) -> Any:
        if self._conn is None or not self._expected:
            return _NOTHING
        try:
            status, value = pickle.loads(self._conn.recv_bytes())  # noqa: S301 (our own child)
        except (EOFError, OSError):
            status, value = "error", "the helper process ended early"
        if status == "ok":
            self._expected -= 1
            return value
        logger.warning("roster import: the helper process failed: %s", value)
        self.close()
        return _NOTHING

    def close(self) -> None:
        """End the child (at once, if it is not done: the caller no longer needs it)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process = None


_NOTHING = object()


def _run_child(
    sender: Connection, compute: Callable[[Any], Any], tasks: list[Any], parent_pid: int
) -> None:
    end_with_parent(parent_pid)
    for task in tasks:
        try:
            payload = pickle.dumps(("ok", compute(task)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as error:
            sender.send_bytes(pickle.dumps(("error", repr(error))))
            break
        sender.send_bytes(payload)
    sender.close()
