"""One measured run in a process of its own: ``python -m bench.child SIDE JOB PATH [N]``.

Prints one JSON line: the job's result (emission count; microseconds for latency
jobs, or a ``{"p50", "p99"}`` object when one run gives both), the seconds the run
took (set-up excluded; wall clock and this process's CPU time) and the process's
peak RSS in MiB (see :func:`peak_rss_mb`). ``N`` is the job's size for jobs that
take one (calls, source messages; 0: the job's default). A missing peer library
exits with code 3 and says how to install it.

``python -m bench.child --serve`` is the quick suite's fork server: it imports
kuiper_dev and the jobs once, then runs each job line it reads (``SIDE JOB PATH N``,
tab-separated) in a fork of itself, a process of its own with its own peak RSS,
and answers with one JSON line ``{"returncode", "stdout", "stderr"}``. That saves
the second of imports each fresh interpreter pays (see bench/README.md).
"""

from __future__ import annotations

import gc
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

MISSING = 3
TIMEOUT_S = 900  # one run; a hung run is killed and reported, never waited on

Factory = Callable[[Path, int], Callable[[], Any]]


def _sized(make: Callable[[Path], Callable[[], Any]]) -> Factory:
    return lambda path, _n: make(path)


def _mqtt_sized(make: Callable[[Path], Callable[[], Any]]) -> Factory:
    """A latency job run on ``n`` messages instead of bench.mqtt's LATENCY_COUNT.

    bench/mqtt.py (not this module's) reads its module constant when the job is set
    up; the quick suite shortens it here until that job takes its count from the
    suite like the others.
    """

    def make_sized(path: Path, n: int) -> Callable[[], Any]:
        from . import mqtt

        if n and hasattr(mqtt, "LATENCY_COUNT"):
            mqtt.LATENCY_COUNT = n
        return make(path)

    return make_sized


def kuiper_dev_jobs() -> dict[str, Factory]:
    """Every kuiper_dev-side job by name (bench.jobs, bench.portable, bench.notebooks)."""
    from . import jobs, notebooks, portable

    table = {name: _sized(make) for name, make in jobs.JOBS.items()}
    for name in ("mqtt_latency_p50", "mqtt_latency_p99"):
        table[name] = _mqtt_sized(jobs.JOBS[name])
    table["plugin_portable_calls"] = portable.host_calls_job(jobs.PLAIN_ABS.format(scale=1))
    table.update(portable.JOBS)
    table.update(notebooks.JOBS)
    return table


def bare_jobs() -> dict[str, Factory]:
    """Every bare-loop job by name (bench.peers, bench.portable); kuiper_dev is imported
    only by the peers that need it (a broker, a plugin export), when they are made."""
    from . import peers

    table = {name: _sized(make) for name, make in peers.BARE.items()}
    for name in ("mqtt_latency_p50", "mqtt_latency_p99"):
        table[name] = _mqtt_sized(peers.BARE[name])

    def portable_calls(path: Path, n: int) -> Callable[[], Any]:
        from . import portable

        return portable.bare_calls_job(peers.PLAIN_ABS.format(scale=1))(path, n)

    def portable_source(path: Path, n: int) -> Callable[[], Any]:
        from . import portable

        return portable.BARE["plugin_portable_source"](path, n)

    table["plugin_portable_calls"] = portable_calls
    table["plugin_portable_source"] = portable_source
    return table


def main(argv: list[str]) -> int:
    side, job, path = argv[0], argv[1], Path(argv[2])
    n = int(argv[3]) if len(argv) > 3 else 0
    try:
        if side == "kuiper_dev":
            run = kuiper_dev_jobs()[job](path, n)
        elif side == "bare":
            run = bare_jobs()[job](path, n)
        elif side == "bytewax":
            from .peers import bytewax_job

            run = bytewax_job(job, path)
        else:
            raise SystemExit(f"unknown side {side!r}: use kuiper_dev, bare or bytewax")
    except ModuleNotFoundError as exc:
        print(
            f"{exc.name} is not installed: run `make bench` or "
            "`pip install -e '.[bench]'` to install the bench's peers",
            file=sys.stderr,
        )
        return MISSING
    started, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = {"result": result, "seconds": seconds, "cpu_seconds": cpu, "rss_mb": peak_rss_mb()}
    print(json.dumps(out))
    return 0


def peak_rss_mb() -> float:
    """This process's peak RSS in MiB.

    Linux keeps ``getrusage``'s ``ru_maxrss`` across ``exec``, so a child would
    report at least its parent's peak; ``VmHWM`` belongs to this process image
    alone (a fork starts it at the pages it shares with its parent). Elsewhere
    ``getrusage`` is the figure.

    >>> 1 < peak_rss_mb() < 100_000
    True
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes there, KiB here
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


# -- the fork server ---------------------------------------------------------------
def forked(argv: list[str], timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """Run ``main(argv)`` in a fork of this process, bounded by ``timeout`` seconds;
    its output is caught in files, so a chatty job never blocks on a full pipe."""
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: its own process group, so a timeout ends its helpers too
            code = 1
            try:
                os.setpgid(0, 0)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115  (whatever held them)
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
                code = main(argv)
            except SystemExit as exc:  # as the interpreter ends: a text goes to stderr
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
                if not isinstance(exc.code, int | None):
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        code = _wait(pid, timeout)
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        if code is None:
            stderr += f"\nno result within {timeout:g} s: killed"
        return {
            "returncode": -signal.SIGKILL if code is None else code,
            "stdout": out.read().decode(errors="replace"),
            "stderr": stderr,
        }


def _wait(pid: int, timeout: float) -> int | None:
    """The child's exit code, or None after killing its group when ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    return None


def serve(lines: Any, answer: Any, timeout: float = TIMEOUT_S) -> int:
    """Answer each ``SIDE\\tJOB\\tPATH\\tN`` line with a forked run's outcome."""
    from . import jobs, peers  # noqa: F401  (imported once here, shared by every fork)

    gc.collect()
    gc.freeze()  # the forks do not touch (and copy) the imported objects' pages to scan them
    for line in lines:
        argv = line.rstrip("\n").split("\t")
        if argv == [""]:
            continue
        answer.write(json.dumps(forked(argv, timeout)) + "\n")
        answer.flush()
    return 0


class ForkServer:
    """The client of ``python -m bench.child --serve`` (started in ``root`` with
    ``env``): :meth:`run` sends one job's argv and returns the forked run's
    ``{"returncode", "stdout", "stderr"}``."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.child", "--serve"], cwd=root, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip

    def run(self, argv: list[str]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        ended = {"returncode": 1, "stdout": "", "stderr": "the fork server has ended"}
        try:
            self.proc.stdin.write("\t".join(argv) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return ended
        line = self.proc.stdout.readline()  # the server bounds each run by TIMEOUT_S
        if not line:
            return ended
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        sys.exit(serve(sys.stdin, sys.stdout))
    sys.exit(main(sys.argv[1:]))
