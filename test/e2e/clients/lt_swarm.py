#!/usr/bin/python3
"""libtorrent peers for seedhost's real-client e2e test (needs Debian's python3-libtorrent).

  lt_swarm.py swarm <torrent> <seed_dir> <leech_dir>
      A seeder (serving <seed_dir>) and a leecher (saving to <leech_dir>), each its own session
      on 127.0.0.1, find each other only through the torrent's tracker. The seeder announces
      first; the leecher joins once the tracker has answered the seeder, so the leecher's peer
      list can only come from the tracker. Exits 0 once the leecher has the whole file and the
      tracker has answered its `completed` announce.
  lt_swarm.py seed <torrent> <seed_dir>
      Only the seeder, for another client to download from; runs until stdin closes. A line
      `reannounce` on stdin makes it announce again at once (ignoring the tracker's min interval),
      to learn of a peer that joined since and connect to it (Transmission never connects to the
      loopback peers a tracker hands it, so the seeder has to).

Stdout carries one JSON object per line for the test:
  {"event": "seeding", "port": P}                      the seeder is complete and announced
  {"event": "leeching", "port": P}                     (swarm) the leecher was added
  {"event": "finished", "seeder_port": P, "leecher_port": Q, "first_reply_peers": N,
   "outgoing": ["ip:port", ...], ...}                  (swarm) the leecher has the whole file
  {"event": "announced", "peers": N}                   (seed) the tracker answered a later announce
  {"event": "stopped", "uploaded": B, "outgoing": [..]} (seed) stdin closed, the seeder stops
In swarm mode, after "finished" the sessions stay up (so the test can inspect the tracker's
swarm) until a line arrives on stdin or stdin closes. Diagnostics go to stderr; on a timeout
(SEEDHOST_LT_TIMEOUT seconds, default 60) the script prints the alerts and states it saw and
exits 1.
"""
import json
import os
import select
import sys
import time

import libtorrent as lt
from lt_common import loopback_settings

TIMEOUT = float(os.environ.get("SEEDHOST_LT_TIMEOUT", "60"))
DEADLINE = time.monotonic() + TIMEOUT
LOG = []  # every alert, printed when something fails


def log(msg):
    LOG.append(f"{time.monotonic() - START:7.3f} {msg}")


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def fail(why, handles=()):
    sys.stderr.write(f"lt_swarm: {why} (libtorrent {lt.__version__})\n")
    for name, h in handles:
        s = h.status()
        peers = [f"{p.ip[0]}:{p.ip[1]} src={p.source}" for p in h.get_peer_info()]
        sys.stderr.write(
            f"  {name}: state={s.state} progress={s.progress:.3f} seeds={s.num_seeds} "
            f"peers={s.num_peers} list_peers={s.list_peers} error={s.errc.message() if s.errc.value() else ''} "
            f"connected={peers}\n"
        )
        try:
            for t in h.trackers():
                sys.stderr.write(
                    f"    tracker {t.get('url')}: fails={t.get('fails')} message={t.get('message')!r} "
                    f"last_error={t.get('last_error')}\n"
                )
        except Exception as e:  # diagnostics only
            sys.stderr.write(f"    (trackers unavailable: {e})\n")
    sys.stderr.write("  alerts:\n    " + "\n    ".join(LOG[-200:]) + "\n")
    sys.stderr.flush()
    sys.exit(1)


def session():
    return lt.session(loopback_settings())


def add(ses, torrent, save_path):
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(torrent)
    atp.save_path = save_path
    return ses.add_torrent(atp)


def pump(sessions, until, handles, what, on_alert=None):
    """Drains alerts from every session until `until()` is true; fails with `what` at the deadline."""
    while not until():
        left = DEADLINE - time.monotonic()
        if left <= 0:
            fail(f"timed out after {TIMEOUT:.0f} s waiting for {what}", handles)
        for name, ses in sessions:
            ses.wait_for_alert(50)
            for a in ses.pop_alerts():
                log(f"[{name}] {type(a).__name__}: {a.message()}")
                if on_alert is not None:
                    on_alert(name, a)


def seeder(torrent, seed_dir):
    """A session seeding <seed_dir>; returns once the tracker has answered it as a complete peer."""
    ses = session()
    h = add(ses, torrent, seed_dir)
    state = {"announced": False}

    def on_alert(_name, a):
        # libtorrent announces only after checking the files, so this reply lists a seeder.
        if isinstance(a, lt.tracker_reply_alert) and h.status().is_seeding:
            state["announced"] = True

    pump([("seeder", ses)], lambda: state["announced"], [("seeder", h)], "the seeder to announce as complete", on_alert)
    return ses, h, on_alert


def wait_for_stdin(deadline):
    """Blocks until a line or EOF arrives on stdin, or the deadline passes."""
    while time.monotonic() < deadline:
        r, _, _ = select.select([sys.stdin], [], [], 0.5)
        if r:
            sys.stdin.readline()
            return


def main():
    global START
    START = time.monotonic()
    if len(sys.argv) < 4 or sys.argv[1] not in ("swarm", "seed"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    mode, torrent, seed_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    seed_ses, seed_h, seed_on_alert = seeder(torrent, seed_dir)
    emit({"event": "seeding", "port": seed_ses.listen_port()})

    if mode == "seed":
        # Serve until the test closes stdin (or the deadline), draining alerts meanwhile.
        outgoing = []
        while time.monotonic() < DEADLINE:
            r, _, _ = select.select([sys.stdin], [], [], 0.2)
            for a in seed_ses.pop_alerts():
                log(f"[seeder] {type(a).__name__}: {a.message()}")
                if isinstance(a, lt.tracker_reply_alert):
                    emit({"event": "announced", "peers": a.num_peers})
                elif isinstance(a, lt.peer_connect_alert) and "outgoing" in a.message():
                    outgoing.append(f"{a.ip[0]}:{a.ip[1]}")
            if r:
                line = sys.stdin.readline()
                if line == "":
                    break
                if line.strip() == "reannounce":
                    seed_h.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
        s = seed_h.status()
        emit({"event": "stopped", "uploaded": s.total_payload_upload, "peers": s.num_peers, "outgoing": outgoing})
        return

    leech_dir = sys.argv[4]
    leech_ses = session()
    leech_h = add(leech_ses, torrent, leech_dir)
    emit({"event": "leeching", "port": leech_ses.listen_port()})
    handles = [("seeder", seed_h), ("leecher", leech_h)]
    sessions = [("seeder", seed_ses), ("leecher", leech_ses)]
    # in_flight: tracker URL -> the event of the announce sent to it and not yet answered (the
    # torrent lists several trackers, and one's reply to event=started may come after finishing)
    state = {"finished": False, "in_flight": {}, "completed_answered": False, "first_reply_peers": None, "outgoing": []}

    def on_alert(name, a):
        if name == "seeder":
            return seed_on_alert(name, a)
        if isinstance(a, lt.tracker_announce_alert):
            state["in_flight"][a.tracker_url()] = str(a.event)
        elif isinstance(a, (lt.tracker_reply_alert, lt.tracker_error_alert)):
            if state["in_flight"].pop(a.tracker_url(), None) == "completed":
                state["completed_answered"] = True
            if isinstance(a, lt.tracker_reply_alert) and state["first_reply_peers"] is None:
                state["first_reply_peers"] = a.num_peers  # the reply to event=started
        elif isinstance(a, lt.peer_connect_alert) and "outgoing" in a.message():
            state["outgoing"].append(f"{a.ip[0]}:{a.ip[1]}")
        elif isinstance(a, lt.torrent_finished_alert):
            state["finished"] = True

    pump(sessions, lambda: state["finished"], handles, "the leecher to finish", on_alert)
    pump(sessions, lambda: state["completed_answered"] and not state["in_flight"], handles, "the trackers to answer the leecher's completed announce", on_alert)
    s = leech_h.status()
    emit({
        "event": "finished",
        "seeder_port": seed_ses.listen_port(),
        "leecher_port": leech_ses.listen_port(),
        # How many peers the tracker's reply to the leecher's started announce listed, and the
        # peers the leecher then connected to (DHT and LSD are off, and the seeder never learns
        # of the leecher, so an outgoing connection to the seeder came from the tracker's list).
        "first_reply_peers": state["first_reply_peers"],
        "outgoing": state["outgoing"],
        "downloaded": s.total_payload_download,
        "seconds": round(time.monotonic() - START, 3),
    })
    if os.environ.get("SEEDHOST_LT_DEBUG"):
        sys.stderr.write("\n".join(LOG) + "\n")
    wait_for_stdin(DEADLINE)
    # Flush and close the leecher's file before exiting, so the test reads complete bytes.
    leech_ses.remove_torrent(leech_h)
    del leech_ses, seed_ses


if __name__ == "__main__":
    main()
