"""Fault injection: SIGKILL the poller (``hosho poll --once`` in a subprocess) at random
moments of a 600-message run, 6 times, restarting it each time; then let it finish.
Every message must end with exactly one submission row and in exactly one folder.
(``bench/bench_mail.py`` measures the large runs; 600 messages give every kill a batch in
flight while keeping the suite short.)"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.mailbox.conftest import use_env
from tests.mailbox.test_exactly_once import assert_all_done, child_env, counts, poll_cmd
from tests.mailbox.town import bulk

pytestmark = [pytest.mark.imap, pytest.mark.slow]

TOTAL = 600
CONTRACTS = 40
KILLS = 6


def test_sigkill_during_a_600_message_run(town, dovecot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for raw in bulk(TOTAL, CONTRACTS, "kill"):
        dovecot.deliver(raw)
    runtime = use_env(monkeypatch, dovecot.env())
    env = child_env(dovecot, town)
    seed = int(os.environ.get("HOSHO_FAULT_SEED", "20241003"))
    rng = random.Random(seed)
    killed_mid_run = 0
    for _round in range(KILLS):
        before = counts(runtime.engine)[0]
        if before == TOTAL and dovecot.count("INBOX") == 0:
            break
        proc = subprocess.Popen(
            poll_cmd(), env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # Wait until it is recording, then kill it at a random moment.
        deadline = time.monotonic() + 60
        while counts(runtime.engine)[0] == before and proc.poll() is None:
            assert time.monotonic() < deadline, "the poller never started recording"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.8))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_run += 1
        _, err = proc.communicate(timeout=30)
        assert proc.returncode in (0, -signal.SIGKILL), err.decode()
    assert killed_mid_run >= KILLS // 2, f"only {killed_mid_run} kills landed mid-run"
    for _attempt in range(3):  # let it finish
        done = subprocess.run(poll_cmd(), env=env, cwd=tmp_path, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
        if dovecot.count("INBOX") == 0:
            break
    assert_all_done(dovecot, runtime.engine, TOTAL, CONTRACTS)
