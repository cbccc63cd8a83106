"""The laptop's device keys: one 32-byte key per paired gun, readable by its owner only."""

import os

from firmware.wire import lock as auth
from host.link.errors import KeyStoreError


def key_dir():
    return os.environ.get("MESO_KEYS") or os.path.join(
        os.path.expanduser("~"), ".config", "meso", "keys")


def key_path(device_id):
    if not device_id or "/" in device_id or device_id.startswith("."):
        raise KeyStoreError("device id %r cannot name a key file" % (device_id,))
    return os.path.join(key_dir(), device_id + ".key")


def new_key():
    return os.urandom(auth.KEY_BYTES)


def save(device_id, key):
    path = key_path(device_id)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    os.replace(tmp, path)
    return path


def load(device_id):
    """The key paired with this device, or None if this laptop was never paired with it."""
    try:
        with open(key_path(device_id), "rb") as f:
            key = f.read()
    except FileNotFoundError:
        return None
    if len(key) != auth.KEY_BYTES:
        raise KeyStoreError("%s: not a %d-byte key" % (key_path(device_id), auth.KEY_BYTES))
    return key
