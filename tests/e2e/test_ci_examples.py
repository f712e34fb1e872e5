"""The pipeline examples in examples/ci/: the GitHub workflow passes actionlint, the GitLab file
has the jobs and rules its README promises, both run exactly the `pulumi` commands the
real-engine tests run (``PIPELINE_PREVIEW`` and ``PIPELINE_UP`` in tests/e2e/cli.py), and a
stack driven as they drive it works: `up` with the token only in ``DEVREV_TOKEN``, `preview`
with no token at all."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # (pyyaml comes with pulumi)
from tools.actionlint_cli import cached_actionlint_dir, find_actionlint
from tools.pulumi_cli import CLI_VERSION

from tests.e2e.cli import (
    PIPELINE_PREVIEW,
    PIPELINE_UP,
    ROOT,
    Stack,
    offline_env,
    require_tool,
    write_project,
)
from tests.e2e.conftest import PROGRAMS, devrev_calls
from tests.support import TOKEN

CI = ROOT / "examples" / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / ".gitlab-ci.yml"

# What pulumi/actions runs for its `command` input: its src/run.ts calls the Automation API's
# stack.preview() / stack.up(), which start `pulumi preview` and `pulumi up --yes
# --skip-preview`; the `diff: true` input adds `--diff`. (The Automation API also adds
# bookkeeping flags that change nothing the engine does: --stack, --exec-kind, --exec-agent,
# --event-log; examples/ci/README.md lists them.)
ACTION_COMMANDS = {"preview": ("preview",), "up": ("up", "--yes", "--skip-preview")}
# Inputs of pulumi/actions that add no flag to the command: which stack, where, which CLI, and
# what is done with the output. Any other input (refresh, target, parallel, ...) changes the
# command: map it here first, and make the e2e tests run it.
NEUTRAL_INPUTS = {
    "command",
    "stack-name",
    "work-dir",
    "pulumi-version",
    "comment-on-pr",
    "comment-on-summary",
    "edit-pr-comment",
    "github-token",
    "diff",
}


def normalised(args: Sequence[str]) -> tuple[str, frozenset[str]]:
    """A `pulumi` command without its ``--stack NAME`` (the harness adds one too), flags as a
    set: their order means nothing to the CLI."""
    words = list(args)
    if "--stack" in words:
        at = words.index("--stack")
        del words[at : at + 2]
    return words[0], frozenset(words[1:])


def shell_commands(lines: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """The `pulumi ...` commands in shell lines, up to a pipe or redirection."""
    for line in lines:
        words = shlex.split(line, comments=True)
        for stop in ("|", ">", "&&", ";"):
            if stop in words:
                words = words[: words.index(stop)]
        if words and words[0] == "pulumi":
            yield tuple(words[1:])


def github_commands(workflow: dict[Any, Any]) -> list[tuple[str, ...]]:
    commands: list[tuple[str, ...]] = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("pulumi/actions@"):
                inputs = step["with"]
                extra = set(inputs) - NEUTRAL_INPUTS
                assert not extra, f"pulumi/actions inputs {extra} add flags: map them first"
                diff = ("--diff",) if str(inputs.get("diff")).lower() == "true" else ()
                commands.append(ACTION_COMMANDS[inputs["command"]] + diff)
            commands += shell_commands(str(step.get("run", "")).splitlines())
    return commands


def gitlab_commands(pipeline: dict[str, Any]) -> list[tuple[str, ...]]:
    commands: list[tuple[str, ...]] = []
    for name, job in pipeline.items():
        if isinstance(job, dict) and name not in ("workflow", "variables"):
            for part in ("before_script", "script", "after_script"):
                commands += shell_commands(job.get(part, []))
    return commands


def load(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(path.read_text())
    return loaded


PIPELINE = [normalised(PIPELINE_PREVIEW), normalised(PIPELINE_UP)]


def test_both_pipelines_run_the_commands_the_e2e_tests_run() -> None:
    assert [normalised(c) for c in github_commands(load(GITHUB))] == PIPELINE
    assert [normalised(c) for c in gitlab_commands(load(GITLAB))] == PIPELINE


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        (GITHUB, "diff: true", "diff: false"),
        (GITHUB, "command: up", "command: up\n          refresh: true"),
        (GITLAB, " --skip-preview", ""),
        (GITLAB, "pulumi preview --diff", "pulumi preview"),
    ],
)
def test_a_pipeline_command_the_e2e_tests_do_not_run_is_caught(
    path: Path, old: str, new: str
) -> None:
    text = path.read_text()
    assert old in text
    changed = yaml.safe_load(text.replace(old, new, 1))
    with pytest.raises(AssertionError):
        commands = github_commands(changed) if path == GITHUB else gitlab_commands(changed)
        assert [normalised(c) for c in commands] == PIPELINE


def test_the_harness_runs_the_pipeline_commands(tmp_path: Path) -> None:
    """``Stack.preview()`` and ``Stack.up()`` run ``PIPELINE_PREVIEW`` and ``PIPELINE_UP``:
    a stand-in CLI prints the arguments it gets."""
    fake = tmp_path / "pulumi"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    fake.chmod(0o755)
    stack = Stack(fake, tmp_path, "prod", {"PATH": os.environ.get("PATH", "")})
    assert stack.preview().stdout.split() == [*PIPELINE_PREVIEW, "--stack", "prod"]
    assert stack.up().stdout.split() == [*PIPELINE_UP, "--stack", "prod"]


def test_the_pipelines_use_the_pulumi_version_the_suite_tests() -> None:
    workflow = load(GITHUB)
    pins = [
        str(step["with"]["pulumi-version"])
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("pulumi/actions@")
    ]
    assert pins == [CLI_VERSION, CLI_VERSION]
    assert load(GITLAB)["default"]["image"] == f"pulumi/pulumi-python:{CLI_VERSION}"


def test_github_workflow_previews_pull_requests_with_a_comment_and_ups_main() -> None:
    workflow = load(GITHUB)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["pull_request"]["branches"] == triggers["push"]["branches"] == ["main"]
    preview, up = workflow["jobs"]["preview"], workflow["jobs"]["up"]
    assert preview["if"] == "github.event_name == 'pull_request'"
    assert up["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert preview["permissions"]["pull-requests"] == "write"

    def action(job: dict[str, Any]) -> dict[str, Any]:
        steps: list[dict[str, Any]] = job["steps"]
        (step,) = [s for s in steps if str(s.get("uses", "")).startswith("pulumi/")]
        return step

    assert action(preview)["with"]["comment-on-pr"] is True
    for job in (preview, up):
        assert any(str(s.get("uses", "")).startswith("actions/setup-python@") for s in job["steps"])
        assert any(s.get("run") == "pip install -r requirements.txt" for s in job["steps"])
        env = action(job)["env"]
        assert env["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
        assert env["PULUMI_BACKEND_URL"] == "${{ secrets.PULUMI_BACKEND_URL }}"
    # The token reaches the up job's pulumi step only, never pull-request code.
    assert action(up)["env"]["DEVREV_TOKEN"] == "${{ secrets.DEVREV_TOKEN }}"
    assert "DEVREV_TOKEN" not in json.dumps(preview)


def test_gitlab_pipeline_previews_merge_requests_and_ups_the_default_branch() -> None:
    pipeline = load(GITLAB)
    mr = '$CI_PIPELINE_SOURCE == "merge_request_event"'
    main = '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH'
    assert pipeline["workflow"]["rules"] == [{"if": mr}, {"if": main}]
    assert pipeline["stages"] == ["preview", "deploy"]
    preview, up = pipeline["preview"], pipeline["up"]
    assert (preview["stage"], preview["rules"]) == ("preview", [{"if": mr}])
    assert (up["stage"], up["rules"]) == ("deploy", [{"if": main}])
    assert preview["artifacts"]["paths"] == ["infra/preview.txt"]
    assert pipeline["default"]["before_script"] == ["cd infra", "pip install -r requirements.txt"]
    # Token, passphrase and backend come from CI/CD variables, never from the file.
    assert not {"DEVREV_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"} & set(
        pipeline["variables"]
    )


def require_actionlint() -> Path:
    """actionlint, or a skip (a failure under ``CI=true``) that says how to get it."""
    return require_tool(
        find_actionlint(),
        f"actionlint is neither on PATH nor at {cached_actionlint_dir()}: "
        "run `make actionlint` (builds it with go install)",
    )


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(require_actionlint()), "-no-color", "-oneline", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_github_workflow_passes_actionlint() -> None:
    run = actionlint(GITHUB)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_catches_a_mistyped_input_and_context(tmp_path: Path) -> None:
    """actionlint knows pulumi/actions' inputs: the lint above is not vacuous."""
    broken = tmp_path / "pulumi.yml"
    text = GITHUB.read_text().replace("comment-on-pr:", "comment-on-prs:")
    broken.write_text(text.replace("secrets.DEVREV_TOKEN", "secret.DEVREV_TOKEN"))
    run = actionlint(broken)
    assert run.returncode == 1
    assert 'input "comment-on-prs" is not defined in action "pulumi/actions@v6"' in run.stdout
    assert 'undefined variable "secret"' in run.stdout


def test_a_stack_run_as_the_pipelines_run_it(
    cli: Path, tmp_path: Path, sandbox: Any, control: Any
) -> None:
    """`up` with the token only in ``DEVREV_TOKEN`` (the up jobs), and `preview` of a change
    with no token anywhere (the preview jobs): it shows the update and calls DevRev not once.
    The token from the environment is not recorded in the stack."""
    project = write_project(tmp_path / "project", "e2e-ci", "")
    shutil.copyfile(PROGRAMS / "webhooks.py", project / "__main__.py")
    stack = Stack(cli, project, "prod", offline_env(cli, tmp_path)).init()
    hook = {"url": "http://127.0.0.1:9/hook", "event_types": ["work_created"]}
    stack.config_all({"devrev:apiUrl": sandbox.url, "webhooks": json.dumps({"hook": hook})}, {})

    stack.env["DEVREV_TOKEN"] = TOKEN
    stack.up()
    assert devrev_calls(control) == ["/webhooks.create"]
    del stack.env["DEVREV_TOKEN"]
    control.clear_requests()

    stack.config_json("webhooks", {"hook": {**hook, "event_types": ["work_updated"]}})
    preview = stack.preview()
    assert "~ 1 to update" in preview.stdout
    assert devrev_calls(control) == []
    assert TOKEN not in json.dumps(stack.export(show_secrets=True))
