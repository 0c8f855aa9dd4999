#!/usr/bin/python3
"""A libtorrent leecher whose announced address changes, for seedhost's BEP 7 key e2e test.

  lt_key.py <torrent> <save_dir> <ip>

Announces with announce_ip=<ip> (sent as &ip=, honoured from a trusted address) and libtorrent's
own peer_id and key. Each line on stdin `move <ip>` switches announce_ip and re-announces; stdin
closing removes the torrent (a `stopped` announce) and exits. Stdout carries one JSON object per
line: {"event": "announced", "ip": ..., "replies": N} after each tracker reply, {"event": "stopped"}
at the end. On a timeout (SEEDHOST_LT_TIMEOUT seconds, default 60) it exits 1.
"""
import json
import os
import select
import sys
import time

import libtorrent as lt
from lt_common import loopback_settings

DEADLINE = time.monotonic() + float(os.environ.get("SEEDHOST_LT_TIMEOUT", "60"))


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def wait_reply(ses, replies):
    """Waits for the next tracker reply; returns the new count of replies."""
    while time.monotonic() < DEADLINE:
        ses.wait_for_alert(200)
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_reply_alert):
                return replies + 1
            if isinstance(a, lt.tracker_error_alert):
                sys.stderr.write(f"lt_key: tracker error: {a.message()}\n")
    sys.stderr.write("lt_key: no tracker reply in time\n")
    sys.exit(1)


def main():
    torrent, save_dir, ip = sys.argv[1:4]
    ses = lt.session(loopback_settings(announce_ip=ip))
    h = ses.add_torrent({"ti": lt.torrent_info(torrent), "save_path": save_dir})
    replies = wait_reply(ses, 0)
    emit({"event": "announced", "ip": ip, "replies": replies})
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], max(0.0, DEADLINE - time.monotonic()))
        line = sys.stdin.readline() if ready else ""
        if not ready:
            sys.stderr.write("lt_key: no command in time\n")
            sys.exit(1)
        if line == "":
            break
        if line.startswith("move "):
            ip = line.split()[1]
            ses.apply_settings({"announce_ip": ip})
            h.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
            replies = wait_reply(ses, replies)
            emit({"event": "announced", "ip": ip, "replies": replies})
    ses.remove_torrent(h)
    # the stopped announce goes out as the torrent is removed; give it time to reach the tracker
    end = min(DEADLINE, time.monotonic() + 5)
    while time.monotonic() < end:
        ses.wait_for_alert(200)
        if any(isinstance(a, (lt.tracker_reply_alert, lt.tracker_error_alert)) for a in ses.pop_alerts()):
            break
    emit({"event": "stopped"})


if __name__ == "__main__":
    main()
