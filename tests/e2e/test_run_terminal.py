"""`hosho run --demo` on the embedded defaults, as a newcomer runs it: terminal chat, the
Maildir var/inbox, SQLite under var/. Ask, get a notice, drop it into the inbox, see it
registered, look it up; SIGTERM ends it cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

NUMBER = "0012024090101"


class Lines:
    """Reads a pipe in a thread; ``until`` waits for a line containing some text."""

    def __init__(self, pipe) -> None:  # type: ignore[no-untyped-def]
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(pipe,), daemon=True).start()

    def _pump(self, pipe) -> None:  # type: ignore[no-untyped-def]
        for line in iter(pipe.readline, ""):
            self._queue.put(line)

    def until(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not seen in: {''.join(self.seen)[-2000:]}")


def test_run_demo_in_the_terminal(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSHO_", "SLACK_"))}
    env["HOSHO_POLL_SECONDS"] = "0.5"
    proc = subprocess.Popen(
        ["hosho", "run", "--demo"],
        cwd=tmp_path,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out = Lines(proc.stdout)
    err = Lines(proc.stderr)
    try:
        err.until("chat=terminal, inbox=Maildir var/inbox")
        assert proc.stdin is not None
        proc.stdin.write("電子保証とは何ですか\n")
        proc.stdin.flush()
        out.until("電子証書")
        proc.stdin.write(f"認証キー等のお知らせ {NUMBER}\n")
        proc.stdin.flush()
        pdf = Path(out.until("[PDF]").split(": ", 1)[1].strip())
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")

        sent = cli("demo", "mail", str(pdf), cwd=tmp_path)  # the other commands run in-process
        assert sent.returncode == 0, sent.stderr
        staff = out.until("[職員チャンネル]")
        assert "registered" in staff or "受付" in staff

        proc.stdin.write(f"提出状況 {NUMBER}\n")
        proc.stdin.flush()
        out.until("受付済み")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    assert code == 0
    assert "Traceback" not in "".join(err.seen)

    parsed = cli("notice", "parse", str(pdf), "--json", cwd=tmp_path)
    assert parsed.returncode == 0, parsed.stderr
    key = json.loads(parsed.stdout)["auth_key"]
    looked = cli("dsure", "lookup", NUMBER, "--key", key, "--json", cwd=tmp_path)
    assert looked.returncode == 0, looked.stderr
    assert json.loads(looked.stdout)["registered"] is True
    log = (tmp_path / "var" / "hosho.log").read_text()
    assert key not in log and key.replace("-", "") not in log
