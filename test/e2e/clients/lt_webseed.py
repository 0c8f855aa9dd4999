#!/usr/bin/python3
"""libtorrent downloads for seedhost's webseed e2e test (needs Debian's python3-libtorrent).

  lt_webseed.py webseed <torrent> <save_dir>
      One session, alone in the swarm, downloads the torrent into <save_dir>. The only source
      is the torrent's BEP 19 `url-list` (seedhost's /webseed/<infohash>/). Exits 0 once the
      torrent is complete and its files are flushed and closed.
  lt_webseed.py swarm <torrent> <seed_dir> <leech_dir>
      A seeder (serving the original files in <seed_dir>) and a leecher (saving to <leech_dir>),
      each its own session on 127.0.0.1. The leecher gets the torrent WITHOUT its `url-list`, so
      its only source is the seeder, which it finds through the tracker's announce reply. Exits 0
      once the leecher is complete and its files are closed.

Stdout carries one JSON object per line for the test:
  {"event": "seeding", "port": P}                      (swarm) the seeder is complete and announced
  {"event": "leeching", "port": P, "web_seeds": [..]}  the downloading session was added
  {"event": "finished", "downloaded": B, "sources": {...}, "url_seed_errors": [...], ...}
                                                       the download is complete, the trackers
                                                       answered event=completed, the torrent removed,
                                                       and they answered event=stopped
The files are closed once the process has exited (the sessions are destroyed on the way out).
`sources` maps each endpoint the downloading session received blocks from ("ip:port": a web
seed's server or a BitTorrent peer) to the number of 16 KiB blocks it delivered. Diagnostics go
to stderr; on a timeout (SEEDHOST_LT_TIMEOUT seconds, default 60) the script prints the alerts,
connections and tracker state and exits 1.
"""
import json
import os
import sys
import time

import libtorrent as lt
from lt_common import loopback_settings

TIMEOUT = float(os.environ.get("SEEDHOST_LT_TIMEOUT", "60"))
START = time.monotonic()
DEADLINE = START + TIMEOUT
LOG = []  # every alert, printed when something fails


def log(msg):
    LOG.append(f"{time.monotonic() - START:7.3f} {msg}")


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def describe(name, h):
    s = h.status()
    peers = [f"{source_key(p)} down={p.total_download}" for p in h.get_peer_info()]
    out = (
        f"  {name}: state={s.state} progress={s.progress:.3f} seeds={s.num_seeds} peers={s.num_peers} "
        f"downloaded={s.total_payload_download} error={s.errc.message() if s.errc.value() else ''} connected={peers}\n"
    )
    try:
        out += f"    web seeds: {h.torrent_file().web_seeds() if h.torrent_file() else '?'}\n"
        for t in h.trackers():
            out += f"    tracker {t.get('url')}: fails={t.get('fails')} message={t.get('message')!r} last_error={t.get('last_error')}\n"
    except Exception as e:  # diagnostics only
        out += f"    (details unavailable: {e})\n"
    return out


def fail(why, handles=()):
    sys.stderr.write(f"lt_webseed: {why} (libtorrent {lt.__version__})\n")
    for name, h in handles:
        try:
            sys.stderr.write(describe(name, h))
        except Exception as e:  # e.g. the handle was already removed
            sys.stderr.write(f"  {name}: (no status: {e})\n")
    sys.stderr.write("  alerts:\n    " + "\n    ".join(LOG[-250:]) + "\n")
    sys.stderr.write(f"lt_webseed: {why}\n")
    sys.stderr.flush()
    sys.exit(1)


def session():
    # ssrf_mitigation stays on (libtorrent's default): for local addresses it only allows tracker
    # URLs whose path is /announce and web seed URLs without a query string, which seedhost's
    # <PUBLIC_URL>/announce and <PUBLIC_URL>/webseed/<infohash>/ satisfy. urlseed_wait_retry is
    # shortened so one refused request does not stall the test for 30 s; every url_seed_alert is
    # reported to the test, which treats any as a failure.
    return lt.session(loopback_settings(lt.alert.category_t.block_progress_notification, urlseed_wait_retry=2))


def source_key(p):
    kind = "web" if p.connection_type in (lt.peer_info.web_seed, lt.peer_info.http_seed) else "bt"
    return f"{kind} {p.ip[0]}:{p.ip[1]}"


class Download:
    """A downloading session and what it saw: url seed errors, and the 16 KiB blocks each source delivered."""

    def __init__(self, ses, h):
        self.ses, self.h = ses, h
        self.finished = False
        self.url_seed_errors = []
        self.sources = {}
        self.first_reply_peers = None
        self.in_flight = {}  # tracker URL -> the event of the announce sent to it and not yet answered
        self.answered = {"completed": set(), "stopped": set()}  # tracker URLs that answered that event

    def settled(self, event):
        """At least one tracker was sent `event` and no announce (of any event) is in flight."""
        return bool(self.answered[event]) and not self.in_flight

    def on_alert(self, a):
        if isinstance(a, lt.block_finished_alert):
            k = f"{a.ip[0]}:{a.ip[1]}"
            self.sources[k] = self.sources.get(k, 0) + 1
        elif isinstance(a, lt.url_seed_alert):
            self.url_seed_errors.append(f"{a.server_url}: {a.error_message() or a.message()}")
        elif isinstance(a, lt.tracker_announce_alert):
            self.in_flight[a.tracker_url()] = str(a.event)
        elif isinstance(a, (lt.tracker_reply_alert, lt.tracker_error_alert)):
            # Tracked per tracker: the torrent lists several (udp, http, ws), and a reply to
            # event=started may arrive after the download finished (the webseed is that fast).
            event = self.in_flight.pop(a.tracker_url(), None)
            if event in self.answered:
                self.answered[event].add(a.tracker_url())
            if isinstance(a, lt.tracker_reply_alert) and self.first_reply_peers is None:
                self.first_reply_peers = a.num_peers  # the reply to event=started (may come after finishing)
        elif isinstance(a, lt.torrent_finished_alert):
            self.finished = True


def pump(sessions, until, handles, what, on_alert):
    """Drains alerts from every session until `until()` is true; fails with `what` at the deadline."""
    while not until():
        if time.monotonic() >= DEADLINE:
            fail(f"timed out after {TIMEOUT:.0f} s waiting for {what}", handles)
        # Sleep, not ses.wait_for_alert(): with block alerts pouring in, wait_for_alert crashed
        # the interpreter now and then (SIGSEGV inside it, in 2 of 11 runs of the test file). Most
        # likely the binding turns the pointer it returns into a Python object while the network
        # thread grows (reallocates) the alert queue. pop_alerts() hands over alerts that stay
        # valid until the next pop_alerts(), and none is kept past it.
        time.sleep(0.02)
        for name, ses in sessions:
            for a in ses.pop_alerts():
                if not isinstance(a, lt.block_finished_alert):  # counted in `sources`, too many to list
                    log(f"[{name}] {type(a).__name__}: {a.message()}")
                on_alert(name, a)
            a = None


def finish(sessions, handles, on_alert, ses, d, extra):
    """After the download: waits until every tracker answered its announce (event=completed
    included), removes the torrent, waits for the answers to event=stopped, reports. (Removing the
    torrent while an announce is still in flight makes libtorrent skip the stopped announce to that
    tracker, and the tracker would keep listing the peer.)"""
    pump(sessions, lambda: d.finished and d.settled("completed"), handles, "the trackers to answer the completed announce", on_alert)
    s = d.h.status()
    result = {
        "event": "finished",
        "downloaded": s.total_payload_download,
        "wanted": s.total_wanted,
        "sources": d.sources,
        "url_seed_errors": d.url_seed_errors,
        "first_reply_peers": d.first_reply_peers,
        "seconds": round(time.monotonic() - START, 3),
        **extra,
    }
    removed = {"done": False}

    def on_removed(name, a):
        on_alert(name, a)
        if isinstance(a, lt.torrent_removed_alert):
            removed["done"] = True

    # Paused first, so the torrent is still there to report the trackers' answers to
    # event=stopped (a removed torrent's replies are not always posted).
    d.h.unset_flags(lt.torrent_flags.auto_managed)
    d.h.pause()
    pump(sessions, lambda: d.settled("stopped"), handles, "the trackers to answer event=stopped", on_alert)
    result["stopped_answered_by"] = sorted(d.answered["stopped"])
    ses.remove_torrent(d.h)
    pump(sessions, lambda: removed["done"], handles, "the torrent to be removed", on_removed)
    if os.environ.get("SEEDHOST_LT_DEBUG"):
        sys.stderr.write("\n".join(LOG) + "\n")
    emit(result)


def webseed(torrent, save_dir):
    ses = session()
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(torrent)
    atp.save_path = save_dir
    h = ses.add_torrent(atp)
    emit({"event": "leeching", "port": ses.listen_port(), "web_seeds": [w["url"] for w in atp.ti.web_seeds()]})
    d = Download(ses, h)
    sessions, handles = [("leecher", ses)], [("leecher", h)]
    pump(sessions, lambda: d.finished, handles, "the download from the web seed", lambda _n, a: d.on_alert(a))
    finish(sessions, handles, lambda _n, a: d.on_alert(a), ses, d, {})
    # Destroying the session (the last references go here) waits for the stopped announce
    # (stop_tracker_timeout) and closes the files; the test reads them after this process exited.
    del d, sessions, handles, h, ses


def without_url_list(torrent):
    """The torrent with its `url-list` removed (the info dict, and so the info_hash, unchanged)."""
    with open(torrent, "rb") as f:
        meta = lt.bdecode(f.read())
    meta.pop(b"url-list", None)
    meta.pop(b"httpseeds", None)
    ti = lt.torrent_info(meta)
    if str(ti.info_hashes().v1) != str(lt.torrent_info(torrent).info_hashes().v1):
        fail("stripping url-list changed the info_hash")
    if ti.web_seeds():
        fail(f"the stripped torrent still has web seeds {ti.web_seeds()}")
    return ti


def swarm(torrent, seed_dir, leech_dir):
    seed_ses = session()
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(torrent)
    atp.save_path = seed_dir
    seed_h = seed_ses.add_torrent(atp)
    seeded = {"announced": False}

    def seed_alert(_n, a):
        # libtorrent announces only after checking the files, so this reply lists a seeder.
        if isinstance(a, lt.tracker_reply_alert) and seed_h.status().is_seeding:
            seeded["announced"] = True

    pump([("seeder", seed_ses)], lambda: seeded["announced"], [("seeder", seed_h)], "the seeder to announce as complete", seed_alert)
    emit({"event": "seeding", "port": seed_ses.listen_port()})

    leech_ses = session()
    latp = lt.add_torrent_params()
    latp.ti = without_url_list(torrent)
    latp.save_path = leech_dir
    leech_h = leech_ses.add_torrent(latp)
    emit({"event": "leeching", "port": leech_ses.listen_port(), "web_seeds": [w["url"] for w in leech_h.torrent_file().web_seeds()]})
    d = Download(leech_ses, leech_h)

    def on_alert(name, a):
        if name == "seeder":
            seed_alert(name, a)
        else:
            d.on_alert(a)

    sessions = [("seeder", seed_ses), ("leecher", leech_ses)]
    handles = [("seeder", seed_h), ("leecher", leech_h)]
    pump(sessions, lambda: d.finished, handles, "the leecher to finish", on_alert)
    finish(sessions, handles, on_alert, leech_ses, d, {"seeder_port": seed_ses.listen_port(), "leecher_port": leech_ses.listen_port()})
    del d, sessions, handles, leech_h, seed_h, leech_ses, seed_ses


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "webseed":
        webseed(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "swarm":
        swarm(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
