"""Session settings shared by the libtorrent test helpers: a closed loopback swarm."""
import libtorrent as lt


def loopback_settings(extra_alerts=0, **overrides):
    """Settings for a session on 127.0.0.1 that finds peers only through the tracker."""
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "outgoing_interfaces": "",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True,
        "min_reconnect_time": 1,
        "stop_tracker_timeout": 2,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.tracker_notification
        | lt.alert.category_t.connect_notification
        | lt.alert.category_t.peer_notification
        | extra_alerts,
    }
    settings.update(overrides)
    return settings
