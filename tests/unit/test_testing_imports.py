"""pulumi_devrev.testing and the pytest plugin import where fcntl and termios do not exist."""

from __future__ import annotations

import subprocess
import sys

WITHOUT_POSIX = """
import sys
sys.modules["fcntl"] = None  # import fcntl now raises ImportError, as on Windows
sys.modules["termios"] = None
import pulumi_devrev.pytest_plugin
import pulumi_devrev.testing
from pulumi_devrev.testing.host import _unread_bytes
print(_unread_bytes(0))
"""


def test_imports_without_fcntl_and_termios() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_POSIX], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "0"  # pipe sizes cannot be asked: output() just waits
