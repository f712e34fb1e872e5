"""``make mutate``: mutation testing (mutmut 3) of the code whose faults cost users most.

Each target is a set of functions in one module of ``pulumi_devrev``. Every module is mutated in
a staging folder of its own, ``.mutmut/<module>/``: a copy of ``provider/pulumi_devrev`` laid out
as ``src/pulumi_devrev`` (where mutmut looks for importable code) and a copy of the fast tests that
exercise the module. mutmut itself works in ``mutants/`` inside that folder, so nothing under
``provider/`` is ever rewritten. mutmut runs, for each mutant, only the tests that called the
mutated function (it records them in a clean run first), one mutant at a time.

A surviving mutant listed in ``tools/mutate/equivalent.toml`` (matched by function and by the
line it changes, so renumbering does not matter) is equivalent: no test can tell it from the
code, and it is left out of the score. The score of a target is killed / (total - equivalent).

    python tools/mutate/run.py                 # every target
    python tools/mutate/run.py plan receiver   # some modules only
    python tools/mutate/run.py --list          # the targets

Exit status 1 when a target scores under ``--min-score`` (default 90%) or mutmut fails.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import libcst as cst

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "provider" / "pulumi_devrev"
WORK = ROOT / ".mutmut"
EQUIVALENT = Path(__file__).with_name("equivalent.toml")
MUTMUT = Path(sys.executable).with_name("mutmut")

# mutmut's names: module.x_function, or module.xǁClassǁmethod, then __mutmut_N.
SEP = "\N{LATIN LETTER LATERAL CLICK}"


def method(cls: str, name: str) -> str:
    return f"x{SEP}{cls}{SEP}{name}"


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    functions: tuple[str, ...]
    """mutmut's function names (``x_name`` or ``method(cls, name)``); globs allowed."""
    tests: tuple[str, ...]

    def patterns(self) -> list[str]:
        return [f"pulumi_devrev.{self.module}.{f}__mutmut_*" for f in self.functions]

    def owns(self, mutant: str) -> bool:
        return any(fnmatch.fnmatchcase(mutant, p) for p in self.patterns())


# Tests that read the source as text rather than run it: a mutated copy (which imports mutmut)
# fails them whatever the mutant does.
NOT_COPIED = ("tests/receiver/test_standalone.py", "tests/unit/test_readme_snippets.py")

# Appended to the staged tests/conftest.py. mutmut runs pytest several times in one process, so
# a hypothesis test method is seen from a second instance of its class: not a flaw of the test.
# Examples are derandomized so every mutant meets the same ones, and a failing example is not
# shrunk: a kill is a kill, and shrinking against the sandbox takes longer than mutmut waits.
CONFTEST_TAIL = """

import hypothesis.core as _hypothesis_core
from hypothesis import HealthCheck as _HealthCheck
from hypothesis import Phase as _Phase
from hypothesis import settings as _settings

_fail_health_check = _hypothesis_core.fail_health_check


def _no_executor_check(settings: object, message: str, health_check: _HealthCheck) -> None:
    if health_check is not _HealthCheck.differing_executors:
        _fail_health_check(settings, message, health_check)  # type: ignore[arg-type]


_hypothesis_core.fail_health_check = _no_executor_check  # type: ignore[assignment]
_settings.register_profile(
    "mutmut",
    derandomize=True,
    database=None,
    phases=[_Phase.explicit, _Phase.reuse, _Phase.generate],
    report_multiple_bugs=False,
)
_settings.load_profile("mutmut")
"""

CLIENT = ("tests/client",)
REDACTION = (
    "tests/unit/test_redaction.py",
    "tests/unit/test_redaction_edges.py",
    "tests/unit/test_errors_settings.py",
    "tests/unit/test_models.py",
    *CLIENT,
)
VALIDATORS = (
    "tests/unit/test_inputs.py",
    "tests/unit/test_models.py",
    "tests/unit/test_check_properties.py",
    "tests/unit/test_validator_edges.py",
)

TARGETS = (
    Target(
        "receiver: signatures and the verify challenge",
        "receiver",
        (
            method("SignatureScheme", "*"),
            "x_sign_body",
            "x_verify_signature",
            "x__secret_list",
            "x_verify_delivery",
            "x__challenge_of",
            "x_challenge_response",
        ),
        ("tests/receiver",),
    ),
    Target(
        "plan.py",
        "plan",
        ("x*",),
        (
            "tests/unit/test_plan.py",
            "tests/unit/test_plan_edges.py",
            "tests/unit/test_reverification.py",
            "tests/unit/test_redaction.py",
            "tests/client/test_plan_applied.py",
        ),
    ),
    Target(
        "client: retry classification",
        "client",
        ("x__retryable", "x__may_have_taken_effect"),
        CLIENT,
    ),
    Target(
        "client: Retry-After and error bodies",
        "client",
        ("x__retry_after", "x__json_body"),
        CLIENT,
    ),
    Target(
        "client: the create lookup",
        "client",
        (
            "x__made_by",
            method("DevRevClient", "_look_for_created"),
            method("DevRevClient", "_delete_twins"),
        ),
        CLIENT,
    ),
    Target(
        "redaction",
        "redaction",
        (
            "x_redact",
            "x_redact_url",
            "x__redact_hostless",
            "x_carries_credentials",
            "x_redact_urls_in",
            "x__redact_match",
            "x_url_secrets",
        ),
        REDACTION,
    ),
    Target(
        "inputs and models: validators",
        "inputs",
        (
            "x_check_*",
            "x_normalize_event_types",
            "x_unknown_names",
            "x_unrecognized_event_types",
            "x__close_*",
            "x_quote",
            "x_bounded",
        ),
        VALIDATORS,
    ),
    Target(
        "inputs and models: validators",
        "models",
        ("x__promised_header_fields", "x__check_set_alone", "x_validate_spec", "x__failures"),
        VALIDATORS,
    ),
)

# Exit codes of mutmut's verdicts (mutmut.stats.status_by_exit_code).
KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {36, -24, 24, 152, 255}


@dataclass
class Score:
    target: str
    killed: list[str] = field(default_factory=list)
    survived: list[str] = field(default_factory=list)
    equivalent: list[tuple[str, str]] = field(default_factory=list)
    other: list[tuple[str, int | None]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.killed) + len(self.survived) + len(self.equivalent) + len(self.other)

    @property
    def score(self) -> float:
        judged = self.total - len(self.equivalent)
        return 100.0 * len(self.killed) / judged if judged else 100.0


class _OnlyTargets(cst.CSTTransformer):
    """Marks every function that is not a target ``# pragma: no mutate block``, so mutmut leaves
    it as it is (no mutants, no trampoline: an async ``__call__`` behind a trampoline no longer
    looks like an ASGI 3 app to uvicorn)."""

    def __init__(self, module: str, patterns: list[str]) -> None:
        self.module = module
        self.patterns = patterns
        self.classes: list[str] = []
        self.depth = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.classes.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        if self.depth or not isinstance(updated.body, cst.IndentedBlock):
            return updated  # a nested function is mutated with the one around it
        name = updated.name.value
        mangled = method(self.classes[-1], name) if self.classes else f"x_{name}"
        mutant = f"pulumi_devrev.{self.module}.{mangled}__mutmut_1"
        if any(fnmatch.fnmatchcase(mutant, p) for p in self.patterns):
            return updated
        header = updated.body.header
        text = (header.comment.value + "  " if header.comment else "") + "# pragma: no mutate block"
        body = updated.body.with_changes(
            header=header.with_changes(
                comment=cst.Comment(text), whitespace=cst.SimpleWhitespace("  ")
            )
        )
        return updated.with_changes(body=body)


def stage(module: str, tests: set[str], patterns: list[str]) -> Path:
    """A fresh ``.mutmut/<module>/`` holding the package as ``src/`` and the tests to run."""
    folder = WORK / module
    if folder.exists():
        shutil.rmtree(folder)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(PACKAGE, folder / "src" / "pulumi_devrev", ignore=ignore)
    source = folder / "src" / "pulumi_devrev" / f"{module}.py"
    tree = cst.parse_module(source.read_text())
    source.write_text(tree.visit(_OnlyTargets(module, patterns)).code)
    (folder / "tests").mkdir()
    for name in ("__init__.py", "conftest.py", "support.py"):
        shutil.copy2(ROOT / "tests" / name, folder / "tests" / name)
    for path in sorted(tests):
        source, target = ROOT / path, folder / path
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        for name in ("__init__.py", "conftest.py", "support.py"):
            if (source.parent / name).exists():
                shutil.copy2(source.parent / name, target.parent / name)
    with (folder / "tests" / "conftest.py").open("a") as conftest:
        conftest.write(CONFTEST_TAIL)
    for path in NOT_COPIED:
        (folder / path).unlink(missing_ok=True)
    pytest_options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    config = {
        "source_paths": ["src"],
        "only_mutate": [f"src/pulumi_devrev/{module}.py"],
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-p", "no:xdist", "-q"],
        "pytest_add_cli_args_test_selection": sorted(tests),
        "use_git_change_detection": False,
        # Each mutant's tests run in a process forked from one that has only collected them:
        # forked from mutmut's own process (which ran the suite for its stats), a test would
        # meet a session sandbox whose server thread did not survive the fork, and hang.
        "process_isolation": "forkserver",
    }
    ini = pytest_options["ini_options"]
    lines = ["[tool.mutmut]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in config.items()]
    lines += ["", "[tool.pytest.ini_options]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in ini.items() if k != "testpaths"]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return folder


def run_mutmut(folder: Path, patterns: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVREV_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    log = folder / "mutmut.log"
    with log.open("w") as out:
        # A session of its own, so stopping this script stops mutmut's workers too.
        process = subprocess.Popen(  # noqa: S603 - our own mutmut, fixed arguments
            [str(MUTMUT), "run", "--max-children", "1", *patterns],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            code = process.wait()
        except KeyboardInterrupt:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
    if code != 0:
        sys.stdout.write(log.read_text()[-4000:])
        raise SystemExit(f"mutmut failed in {folder} (exit {code}); see {log}")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def verdicts(folder: Path, module: str) -> dict[str, int | None]:
    meta = folder / "mutants" / "src" / "pulumi_devrev" / f"{module}.py.meta"
    data = json.loads(meta.read_text())
    codes: dict[str, int | None] = data["exit_code_by_key"]
    return codes


def changed_lines(folder: Path, mutant: str) -> tuple[str, str]:
    """The lines a mutant removes and adds, stripped and joined by newlines."""
    shown = subprocess.run(  # noqa: S603 - our own mutmut, fixed arguments
        [str(MUTMUT), "show", mutant],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    before, after = [], []
    for line in shown.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            before.append(line[1:].strip())
        elif line.startswith("+"):
            after.append(line[1:].strip())
    return "\n".join(before), "\n".join(after)


def load_equivalents() -> list[dict[str, str]]:
    entries: list[dict[str, str]] = tomllib.loads(EQUIVALENT.read_text()).get("equivalent", [])
    return entries


def function_of(mutant: str) -> str:
    return mutant.rsplit("__mutmut_", 1)[0]


def why_equivalent(
    folder: Path, mutant: str, equivalents: list[dict[str, str]]
) -> tuple[str, str, str] | None:
    candidates = [e for e in equivalents if function_of(mutant).endswith("." + e["function"])]
    if not candidates:
        return None
    before, after = changed_lines(folder, mutant)
    for entry in candidates:
        if entry["before"].strip() == before and entry["after"].strip() == after:
            return before, after, entry["why"]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all)")
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    parser.add_argument("--min-score", type=float, default=90.0)
    parser.add_argument("--show-survivors", action="store_true", help="print their diffs")
    args = parser.parse_args()

    modules = list(dict.fromkeys(t.module for t in TARGETS))
    if args.list:
        for t in TARGETS:
            print(f"{t.name} [{t.module}.py]: {', '.join(t.functions)}; tests: {' '.join(t.tests)}")
        return 0
    unknown = set(args.modules) - set(modules)
    if unknown:
        parser.error(f"unknown module(s): {', '.join(sorted(unknown))}; known: {modules}")
    selected = args.modules or modules

    equivalents = load_equivalents()
    scores: dict[str, Score] = {}
    started = time.monotonic()
    for module in selected:
        targets = [t for t in TARGETS if t.module == module]
        tests = {p for t in targets for p in t.tests}
        patterns = [p for t in targets for p in t.patterns()]
        began = time.monotonic()
        print(f"== {module}.py: mutating {len(patterns)} function pattern(s)", flush=True)
        folder = stage(module, tests, patterns)
        run_mutmut(folder, patterns)
        for mutant, code in sorted(verdicts(folder, module).items()):
            target = next((t for t in targets if t.owns(mutant)), None)
            if target is None:
                continue
            score = scores.setdefault(target.name, Score(target.name))
            if code in KILLED or code in TIMEOUT:
                score.killed.append(mutant)
            elif code in SURVIVED:
                equivalent = why_equivalent(folder, mutant, equivalents)
                if equivalent is not None:
                    score.equivalent.append((mutant, equivalent[2]))
                else:
                    score.survived.append(mutant)
                    if args.show_survivors:
                        before, after = changed_lines(folder, mutant)
                        print(f"  survived {mutant}:\n    - {before}\n    + {after}")
            else:
                score.other.append((mutant, code))
        print(f"   done in {time.monotonic() - began:.0f}s", flush=True)

    elapsed = time.monotonic() - started
    version = f"mutmut {metadata.version('mutmut')}"
    print()
    print(f"| target | killed | survived | equivalent | other | total | score |  ({version})")
    failed = False
    for s in scores.values():
        print(
            f"| {s.target} | {len(s.killed)} | {len(s.survived)} | {len(s.equivalent)} | "
            f"{len(s.other)} | {s.total} | {s.score:.1f}% |"
        )
        for mutant in s.survived:
            print(f"    survived: {mutant}")
        for mutant, code in s.other:
            print(f"    not judged (exit {code}): {mutant}")
        failed = failed or s.score < args.min_score or bool(s.other)
    print(f"{elapsed:.0f}s in all, {datetime.now(UTC):%Y-%m-%d}")
    summary = {
        "date": f"{datetime.now(UTC):%Y-%m-%d}",
        "tool": version,
        "seconds": round(elapsed),
        "targets": {
            s.target: {
                "killed": len(s.killed),
                "survived": s.survived,
                "equivalent": [m for m, _ in s.equivalent],
                "other": [m for m, _ in s.other],
                "total": s.total,
                "score": round(s.score, 1),
            }
            for s in scores.values()
        },
    }
    WORK.mkdir(exist_ok=True)
    (WORK / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
