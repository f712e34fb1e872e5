"""What a `pulumi preview` / `pulumi up` costs with pulumi-devrev, each figure against a baseline
measured in the same run.

Timings on a shared machine are noisy, so every timed figure is a set of interleaved pairs (ours,
then the baseline, then the other way round) and is reported as medians, their spread (25th to
75th percentile) and the ratio of the medians. Call counts are exact. Usage:

    make bench                    # bench/run.py, then this
    .venv/bin/python bench/perf.py [--pairs N] [--cli-pairs N] [--no-cli] [--json FILE]
    .venv/bin/python bench/perf.py --smoke --json FILE   # small sizes, for the suite

Prints Markdown; bench/README.md holds the last recorded figures.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
import httpx  # noqa: E402
from bench.trivial import TrivialProvider  # noqa: E402
from google.protobuf import struct_pb2  # noqa: E402
from pulumi.dynamic.dynamic import serialize_provider  # noqa: E402
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc  # noqa: E402
from tests.support import serve_asgi  # noqa: E402

from pulumi_devrev.provider import DevRevWebhookProvider  # noqa: E402
from pulumi_devrev.sandbox import Sandbox, SandboxControl, SandboxOptions, create_sandbox_app  # noqa: E402
from pulumi_devrev.testing import ProviderHost  # noqa: E402

TOKEN = "bench-token-0123456789"
WORKER = str(ROOT / "bench" / "worker.py")
HOOK_URL = "http://127.0.0.1:9/hook"  # nothing listens: webhooks stay unverified, no deliveries
WORKERS = 4  # the provider host serves the engine with four threads
SECTIONS = ("host", "imports", "mocks", "update", "api", "cli")
WARM_UP = True  # off for --smoke, which checks that everything runs, not how fast


# ------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Figure:
    """One timed comparison: our samples against the baseline's, taken in interleaved pairs."""

    name: str
    ours: list[float]
    baseline_name: str
    baseline: list[float]
    target: str = ""
    limit: float | None = None  # the target ratio, when there is one
    unit: str = "ms"
    max_seconds: float | None = None  # the target median, when it is a time

    @property
    def ratio(self) -> float:
        return statistics.median(self.ours) / statistics.median(self.baseline)

    @property
    def met(self) -> bool | None:
        if self.max_seconds is not None:
            return statistics.median(self.ours) <= self.max_seconds
        return None if self.limit is None else self.ratio <= self.limit

    def row(self) -> str:
        met = {None: "", True: " ✓", False: " ✗"}[self.met]
        return (
            f"| {self.name} | {_spread(self.ours, self.unit)} | {self.baseline_name}: "
            f"{_spread(self.baseline, self.unit)} | {self.ratio:.2f}x | {self.target}{met} |"
        )


def _spread(samples: Sequence[float], unit: str) -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    quartiles = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    median = statistics.median(samples) * scale
    low, high = quartiles[0] * scale, quartiles[2] * scale
    digits = 1 if unit == "ms" and median < 100 else 0 if unit == "ms" else 2
    return f"{median:.{digits}f} {unit} ({low:.{digits}f}-{high:.{digits}f})"


def interleaved(subjects: dict[str, Callable[[], float]], pairs: int) -> dict[str, list[float]]:
    """``pairs`` samples of each subject, alternating the order every round."""
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    names = list(subjects)
    if WARM_UP:  # one round not recorded: bytecode and disk caches
        for run in subjects.values():
            run()
    for i in range(pairs):
        for name in names if i % 2 == 0 else reversed(names):
            samples[name].append(subjects[name]())
    return samples


def in_fresh_python(*args: str) -> Callable[[], float]:
    def run() -> float:
        out = subprocess.run(
            [sys.executable, WORKER, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return float(out.stdout.strip().splitlines()[-1])

    return run


# ------------------------------------------------------------------------------------------
# The provider host: cold start and the first Check


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(props)
    return struct


def _blob(provider: Any) -> str:
    """``__provider`` as the SDK makes it."""
    from pulumi.runtime._serialization import _serialize

    blob, _ = _serialize(True, serialize_provider, provider)
    return blob


def _pythonpath() -> str:
    """PYTHONPATH for the processes started here: this checkout first (``bench.trivial``)."""
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def first_check(news: dict[str, Any]) -> Callable[[], tuple[float, float]]:
    """Start ``python -m pulumi.dynamic`` as the engine does, Configure, then one Check:
    (launch to the Check answered, the Check alone)."""
    env = {**os.environ, "PULUMI_PROJECT": "bench", "PYTHONPATH": _pythonpath()}

    def run() -> tuple[float, float]:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:1"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert process.stdout is not None
            port = int(process.stdout.readline())
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                grpc.channel_ready_future(channel).result(timeout=60)
                stub = provider_pb2_grpc.ResourceProviderStub(channel)
                config = {"devrev:token": TOKEN, "devrev:apiUrl": "http://127.0.0.1:9"}
                stub.Configure(
                    provider_pb2.ConfigureRequest(
                        variables=config, args=_struct(config), acceptSecrets=True
                    )
                )
                checking = time.perf_counter()
                answer = stub.Check(
                    provider_pb2.CheckRequest(urn="", olds=_struct({}), news=_struct(news))
                )
                done = time.perf_counter()
                if list(answer.failures):
                    raise RuntimeError(f"check failed: {list(answer.failures)}")
        finally:
            process.kill()
            process.wait()
        return done - started, done - checking

    return run


def host_figures(pairs: int) -> list[Figure]:
    ours = first_check(
        {
            "url": HOOK_URL,
            "event_types": ["work_created", "work_updated"],
            "secret": "bench-secret",
            "__provider": _blob(DevRevWebhookProvider()),
        }
    )
    base = first_check(
        {
            "url": HOOK_URL,
            "event_types": ["work_created", "work_updated"],
            "secret": "bench-secret",
            "__provider": _blob(TrivialProvider()),
        }
    )
    results: dict[str, list[tuple[float, float]]] = {"ours": [], "base": []}

    def sample(name: str, run: Callable[[], tuple[float, float]]) -> Callable[[], float]:
        def go() -> float:
            results[name].append(run())
            return 0.0

        return go

    interleaved({"ours": sample("ours", ours), "base": sample("base", base)}, pairs)
    if WARM_UP:  # the first of each is the warm-up round's
        results = {name: runs[1:] for name, runs in results.items()}
    return [
        Figure(
            "provider host: launch → first `Check` answered",
            [launch for launch, _ in results["ours"]],
            "trivial dynamic provider",
            [launch for launch, _ in results["base"]],
            "≤ 1.15x",
            1.15,
        ),
        Figure(
            "the first `Check` alone (imports the provider)",
            [check for _, check in results["ours"]],
            "trivial dynamic provider",
            [check for _, check in results["base"]],
            "≤ 60 ms",
            max_seconds=0.060,
        ),
    ]


# ------------------------------------------------------------------------------------------
# Imports and registration, each in a fresh interpreter


def import_figures(pairs: int) -> list[Figure]:
    samples = interleaved(
        {
            "webhook": in_fresh_python("import", "pulumi_devrev.webhook"),
            "provider": in_fresh_python("import", "pulumi_devrev.provider"),
            "base": in_fresh_python("import", "pulumi.dynamic"),
        },
        pairs,
    )
    return [
        Figure(
            "`import pulumi_devrev.webhook` (program side)",
            samples["webhook"],
            "`import pulumi.dynamic`",
            samples["base"],
            "≤ 1.2x",
            1.2,
        ),
        Figure(
            "`import pulumi_devrev.provider`",
            samples["provider"],
            "`import pulumi.dynamic`",
            samples["base"],
            "≤ 1.2x",
            1.2,
        ),
    ]


def mocks_figures(pairs: int, count: int) -> list[Figure]:
    samples = interleaved(
        {
            "devrev": in_fresh_python("mocks", "devrev", str(count)),
            "custom14": in_fresh_python("mocks", "custom14", str(count)),
            "custom5": in_fresh_python("mocks", "custom5", str(count)),
        },
        pairs,
    )
    return [
        Figure(
            f"{count} `DevRevWebhook` under mocks",
            samples["devrev"],
            f"{count} `CustomResource`, 5 properties",
            samples["custom5"],
            "≤ 1.25x",
            1.25,
            unit="s",
        ),
        Figure(
            f"{count} `DevRevWebhook` under mocks",
            samples["devrev"],
            f"{count} `CustomResource`, the same 14 properties",
            samples["custom14"],
            "(same property count)",
            unit="s",
        ),
    ]


# ------------------------------------------------------------------------------------------
# Through one provider host against the sandbox: Update's own work, calls, connections, limits


@dataclass
class Served:
    """A sandbox on loopback that also counts the TCP connections its clients open."""

    url: str
    control: SandboxControl
    peers: set[tuple[str, int]] = field(default_factory=set)


@contextmanager
def sandbox(**options: Any) -> Iterator[Served]:
    app = create_sandbox_app(Sandbox(TOKEN, SandboxOptions().with_changes(**options)))
    peers: set[tuple[str, int]] = set()

    async def counting(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("client") and scope["path"].startswith("/web"):
            peers.add(tuple(scope["client"]))  # type: ignore[arg-type]
        await app(scope, receive, send)

    served = serve_asgi(counting)
    control = SandboxControl(served.url)
    try:
        yield Served(served.url, control, peers)
    finally:
        control.close()
        served.stop()


@contextmanager
def sandbox_process() -> Iterator[Served]:
    """A sandbox in a process of its own (``python -m pulumi_devrev.sandbox``): no client
    shares an interpreter with it, so a timed HTTP exchange is only the exchange."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_devrev.sandbox", "--port", "0", "--log-level", "warning"],
        env={**os.environ, "DEVREV_TOKEN": TOKEN},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        control = SandboxControl(url)
        try:
            yield Served(url, control)
        finally:
            control.close()
    finally:
        process.kill()
        process.wait()


def _devrev_inputs(host: ProviderHost, url: str, events: list[str]) -> dict[str, Any]:
    news = {"url": url, "event_types": events, "__provider": _blob(DevRevWebhookProvider())}
    inputs, failures = host.check({}, news)
    assert not failures, failures
    return {**inputs, "__provider": news["__provider"]}


def update_figure(rounds: int) -> tuple[list[float], list[float], list[float], list[float]]:
    """An Update through the host (the provider's work, gRPC, one HTTP exchange) against an
    Update of the trivial provider through the same host (the SDK's floor) and the same HTTP
    request made with httpx directly. Own work = ours - floor - HTTP."""
    with sandbox_process() as served, ProviderHost(env={"PYTHONPATH": _pythonpath()}) as host:
        host.configure({"devrev:token": TOKEN, "devrev:apiUrl": served.url})
        return _update_rounds(served, host, rounds)


def _update_rounds(
    served: Served, host: ProviderHost, rounds: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    hook_id, outputs = host.create(_devrev_inputs(host, HOOK_URL, ["work_created"]))
    # The floor is the trivial provider's Update of the same properties: the SDK's gRPC and
    # (de)serialization of them are not pulumi-devrev's own work.
    trivial_blob = _blob(TrivialProvider())
    trivial_id, _ = host.create({**outputs, "__provider": trivial_blob})
    events = [["work_created"], ["work_updated"]]
    client = httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {TOKEN}"})
    state: dict[str, Any] = {"i": 0, "outputs": outputs, "news": outputs}

    def ours() -> float:
        state["i"] += 1
        state["news"] = news = _devrev_inputs(host, HOOK_URL, events[state["i"] % 2])
        started = time.perf_counter()
        state["outputs"] = host.update(hook_id, state["outputs"], news)
        return time.perf_counter() - started

    def floor() -> float:
        olds = {**state["outputs"], "__provider": trivial_blob}
        news = {**state["news"], "__provider": trivial_blob}
        started = time.perf_counter()
        host.update(trivial_id, olds, news)
        return time.perf_counter() - started

    def raw() -> float:
        body = {"id": hook_id, "event_types": {"set": events[state["i"] % 2]}}
        started = time.perf_counter()
        client.post("/webhooks.update", json=body).raise_for_status()
        return time.perf_counter() - started

    served.control.clear_requests()
    samples = interleaved({"ours": ours, "floor": floor, "raw": raw}, rounds)
    calls = [e["path"] for e in served.control.requests()]
    client.close()
    made = 2 * (rounds + WARM_UP)  # ours and the raw call: one webhooks.update each
    assert calls == ["/webhooks.update"] * made, calls
    # Per round (the three calls of a round share the machine's load at that moment).
    rounds_ = zip(samples["ours"], samples["floor"], samples["raw"], strict=True)
    own = [ours_ - floor_ - raw_ for ours_, floor_, raw_ in rounds_]
    return samples["ours"], samples["floor"], samples["raw"], own


@dataclass
class Lifecycle:
    count: int
    calls: dict[str, int]
    connections: int
    seconds: dict[str, float]


def _across_workers(items: Sequence[Any], work: Callable[[Any], Any]) -> list[Any]:
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(work, items))


def lifecycle(served: Served, host: ProviderHost, count: int) -> Lifecycle:
    """``count`` webhooks through one host, four calls at a time as the engine makes them:
    create, an `up` with nothing changed, an update of each, destroy. Calls per step."""
    served.control.reset()
    calls: dict[str, int] = {}
    seconds: dict[str, float] = {}
    urls = [f"{HOOK_URL}/{i}" for i in range(count)]
    state: dict[str, tuple[str, dict[str, Any]]] = {}
    lock = threading.Lock()

    def create(url: str) -> None:
        made = host.create(_devrev_inputs(host, url, ["work_created"]))
        with lock:
            state[url] = made

    def unchanged(url: str) -> None:
        hook_id, outputs = state[url]
        news = _devrev_inputs(host, url, ["work_created"])
        assert host.diff(hook_id, outputs, news) is False

    def update(url: str) -> None:
        hook_id, outputs = state[url]
        news = _devrev_inputs(host, url, ["work_created", "work_updated"])
        assert host.diff(hook_id, outputs, news) is True
        host.update(hook_id, outputs, news)

    def delete(url: str) -> None:
        hook_id, outputs = state[url]
        host.delete(hook_id, outputs)

    for step, work in (
        ("create", create),
        ("no-op", unchanged),
        ("update", update),
        ("delete", delete),
    ):
        served.control.clear_requests()
        started = time.perf_counter()
        _across_workers(urls, work)
        seconds[step] = time.perf_counter() - started
        calls[step] = len(served.control.requests())
    assert served.control.webhooks() == []
    return Lifecycle(count, calls, 0, seconds)


def connections(served: Served, host: ProviderHost, operations: int) -> int:
    """TCP connections the host uses to DevRev for ``operations`` creates and deletes."""
    served.control.reset()
    served.peers.clear()
    urls = [f"{HOOK_URL}/{i}" for i in range(operations // 2)]
    made = _across_workers(urls, lambda u: host.create(_devrev_inputs(host, u, [])))
    _across_workers(made, lambda m: host.delete(m[0], m[1]))
    assert len(served.control.requests()) == 2 * len(urls)
    return len(served.peers)


@dataclass
class RateLimited:
    creates: int
    limit: int
    window: float
    seconds: float
    bound: float
    failures: int
    duplicates: int
    calls: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.bound


def rate_limited(
    served: Served, host: ProviderHost, creates: int, limit: int, window: float
) -> RateLimited:
    """``creates`` creates through one host against a sandbox allowing ``limit`` requests per
    ``window`` seconds. The bound: the last window the limit allows starts
    (creates / limit - 1) windows after the first."""
    served.control.reset()
    served.control.configure(rate_limit=limit, rate_window=window)
    try:
        urls = [f"{HOOK_URL}/{i}" for i in range(creates)]
        failures = 0

        def create(url: str) -> None:
            nonlocal failures
            try:
                host.create(_devrev_inputs(host, url, ["work_created"]))
            except Exception:
                failures += 1

        started = time.perf_counter()
        _across_workers(urls, create)
        seconds = time.perf_counter() - started
        made = served.control.webhooks()
        calls = len(served.control.requests())
    finally:
        served.control.configure(rate_limit=0)
        served.control.reset()
    bound = (-(-creates // limit) - 1) * window
    return RateLimited(creates, limit, window, seconds, bound, failures, len(made) - creates, calls)


# ------------------------------------------------------------------------------------------
# Through the real Pulumi CLI


DEVREV_PROGRAM = """\
from pulumi_devrev import DevRevWebhook

for i in range({count}):
    DevRevWebhook(f"hook-{{i}}", url=f"{url}/{{i}}", event_types=["work_created"],
                  secret="bench-secret-01")
"""
TRIVIAL_PROGRAM = """\
from bench.trivial import Trivial

for i in range({count}):
    Trivial(f"hook-{{i}}", url=f"{url}/{{i}}", event_types=["work_created"],
            secret="bench-secret-01")
"""


@dataclass
class CliResult:
    figures: list[Figure]
    calls: dict[str, int]
    cli: str


def cli_figures(counts: Sequence[int], pairs: int) -> CliResult | None:
    from tools.pulumi_cli import find_cli

    cli = find_cli()
    if cli is None:
        return None
    from tests.e2e.cli import Stack, offline_env, write_project

    figures: list[Figure] = []
    calls: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp, sandbox() as served:
        for count in counts:
            stacks: dict[str, Stack] = {}
            for kind, program in (("devrev", DEVREV_PROGRAM), ("trivial", TRIVIAL_PROGRAM)):
                workspace = Path(tmp) / f"{kind}-{count}"
                project = write_project(
                    workspace / "project",
                    f"bench-{kind}",
                    program.format(count=count, url=HOOK_URL),
                )
                env = offline_env(cli, workspace, PYTHONPATH=_pythonpath())
                stack = Stack(cli, project, f"{kind}{count}", env).init()
                stack.config_all({"devrev:apiUrl": served.url}, {"devrev:token": TOKEN})
                served.control.clear_requests()
                stack.run("up", "--yes", "--skip-preview", timeout=600)
                if kind == "devrev":
                    calls[f"create {count}"] = len(served.control.requests())
                stacks[kind] = stack

            for command in ("preview", "up"):
                served.control.clear_requests()

                def timed(stack: Stack, command: str = command) -> Callable[[], float]:
                    def run() -> float:
                        started = time.perf_counter()
                        if command == "preview":
                            stack.run("preview", timeout=600)
                        else:
                            out = stack.run("up", "--yes", timeout=600)
                            assert "unchanged" in out.stdout, out.stdout
                        return time.perf_counter() - started

                    return run

                samples = interleaved(
                    {"devrev": timed(stacks["devrev"]), "trivial": timed(stacks["trivial"])},
                    pairs,
                )
                calls[f"{command} {count}"] = len(served.control.requests())
                label = "`pulumi preview`" if command == "preview" else "no-op `pulumi up`"
                noun = "`DevRevWebhook`" if count == 1 else "`DevRevWebhook`s"
                figures.append(
                    Figure(
                        f"{label}, {count} {noun}",
                        samples["devrev"],
                        f"{count} trivial dynamic",
                        samples["trivial"],
                        "≤ 1.2x",
                        1.2,
                        unit="s",
                    )
                )
            for stack in stacks.values():
                stack.run("destroy", "--yes", timeout=600)
    return CliResult(figures, calls, str(cli))


# ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=15, help="interleaved pairs per figure")
    parser.add_argument("--cli-pairs", type=int, default=5, help="pairs per CLI figure")
    parser.add_argument("--no-cli", action="store_true", help="skip the real-CLI figures")
    parser.add_argument("--smoke", action="store_true", help="small sizes, for the test suite")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument(
        "--only", help=f"comma-separated sections to run, of: {','.join(SECTIONS)} (default all)"
    )
    args = parser.parse_args()
    smoke = args.smoke
    global WARM_UP
    WARM_UP = not smoke
    # Measure as an installed package runs: with compiled bytecode. These machines set
    # PYTHONDONTWRITEBYTECODE=1, which makes every interpreter compile pulumi-devrev's modules
    # from source again; a private bytecode cache (inherited by every process started below)
    # keeps that out of the figures for ours and the baselines alike.
    # (Not for --smoke: with no warm-up round, a fresh cache would only add compile time.)
    if not smoke:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        pycache = tempfile.TemporaryDirectory(prefix="bench-pycache-")
        os.environ["PYTHONPYCACHEPREFIX"] = pycache.name
    pairs = 1 if smoke else args.pairs
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    if args.no_cli or smoke:
        only.discard("cli")
    report: dict[str, Any] = {"figures": []}
    figures: list[Figure] = []
    if "host" in only:
        figures += host_figures(pairs)
    if "imports" in only:
        figures += import_figures(pairs)
    if "mocks" in only:
        figures += mocks_figures(max(1, pairs // 3), 10 if smoke else 500)
    own: list[float] = []
    if "update" in only:
        update, floor, http, own = update_figure(3 if smoke else 10 * pairs)
        report["update_own_seconds"] = statistics.median(own)
    sizes = (8, 12, (4, 3, 1.0)) if smoke else (200, 100, (50, 10, 2.0))
    if "api" in only:
        # One sandbox and one provider host for these, as one `pulumi up` has one host.
        with sandbox() as served, ProviderHost(env={"PYTHONPATH": _pythonpath()}) as host:
            host.configure({"devrev:token": TOKEN, "devrev:apiUrl": served.url})
            life = lifecycle(served, host, sizes[0])
            conns = connections(served, host, sizes[1])
            limited = rate_limited(served, host, *sizes[2])
        report.update(
            lifecycle=asdict(life),
            connections=conns,
            rate_limited={**asdict(limited), "ratio": limited.ratio},
        )
    cli = cli_figures((1, 100), args.cli_pairs) if "cli" in only else None
    if cli is not None:
        figures += cli.figures
        report["cli_calls"] = cli.calls

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"{now}; Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end, pulumi SDK "
        f"{_version('pulumi')}; `{' '.join([Path(sys.executable).name, *sys.argv])}`\n"
    )
    print("| figure | ours: median (p25-p75) | baseline: median (p25-p75) | ratio | target |")
    print("|---|---|---|---:|---|")
    for figure in figures:
        print(figure.row())
    if own:
        print(
            f"| Update through the host: own work beyond the SDK's floor and the HTTP exchange "
            f"(per round: Update - floor - HTTP) | {_spread(own, 'ms')} | "
            f"Update {_spread(update, 'ms')}, trivial provider's "
            f"{_spread(floor, 'ms')}, httpx {_spread(http, 'ms')} | - | ≤ 1 ms"
            f"{' ✓' if statistics.median(own) <= 0.001 else ' ✗'} |"
        )
    if "api" in only:
        print(f"\nDevRev calls for {life.count} webhooks through one host ({WORKERS} at a time):\n")
        print("| step | calls | floor | seconds |")
        print("|---|---:|---:|---:|")
        for step, least in (("create", 1), ("no-op", 0), ("update", 1), ("delete", 1)):
            print(
                f"| {step} | {life.calls[step]} | {least * life.count} | {life.seconds[step]:.2f} |"
            )
        print(
            f"\nTCP connections to DevRev for {sizes[1]} operations through one host: {conns} (≤ 4)"
        )
        print(
            f"\n{limited.creates} creates under a limit of {limited.limit} per "
            f"{limited.window:g} s: {limited.seconds:.2f} s against a bound of "
            f"{limited.bound:.2f} s = {limited.ratio:.2f}x (≤ 1.1x), {limited.failures} "
            f"failures, {limited.duplicates} duplicates, {limited.calls} requests (429s included)"
        )
    if cli is not None:
        print(f"\nReal CLI ({cli.cli}): DevRev calls per command\n")
        print("| command | calls |\n|---|---:|")
        for name, count in cli.calls.items():
            print(f"| {name} | {count} |")
    elif "cli" in only:
        print("\nReal CLI: skipped (no CLI: run `make pulumi-cli`)")

    if args.json:
        report["figures"] = [{**asdict(f), "ratio": f.ratio, "met": f.met} for f in figures]
        args.json.write_text(json.dumps(report, indent=1))


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
