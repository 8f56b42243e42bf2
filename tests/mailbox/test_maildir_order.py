"""A Maildir is read in the order its messages were delivered, whatever their names' digits:
the first of two notices for one contract is the one registered."""

from __future__ import annotations

import os
from pathlib import Path

from hosho.mailbox.maildir_source import MaildirSource, arrival_order


def test_microseconds_are_compared_as_numbers() -> None:
    names = [
        "1764500000.M100000P7Q2.host",  # later in the same second
        "1764500000.M99999P7Q1.host",
        "1764499999.M999999P7Q9.host",  # a second earlier
        "1764500001.M5P7Q3.host:2,S",
    ]
    assert sorted(names, key=arrival_order) == [names[2], names[1], names[0], names[3]]


def test_counter_breaks_a_tie_and_odd_names_come_last() -> None:
    names = ["odd-name", "1764500000.M1P7Q12.h", "1764500000.M1P7Q3.h"]
    assert sorted(names, key=arrival_order) == [names[2], names[1], names[0]]


def test_scan_merges_new_and_cur_in_delivery_order(tmp_path: Path) -> None:
    source = MaildirSource(tmp_path / "box")
    source.open()
    later = "1764500000.M100000P7Q2.host"
    earlier = "1764500000.M99999P7Q1.host"
    oldest_seen = "1764400000.M1P7Q1.host:2,S"
    (source.path / "new" / later).write_bytes(b"Subject: b\n\nb\n")
    (source.path / "new" / earlier).write_bytes(b"Subject: a\n\na\n")
    (source.path / "cur" / oldest_seen).write_bytes(b"Subject: c\n\nc\n")
    refs = [p.ref for p in source.scan()]
    assert refs == [f"cur/{oldest_seen}", f"new/{earlier}", f"new/{later}"]
    assert os.path.exists(source.path / "new" / later)
