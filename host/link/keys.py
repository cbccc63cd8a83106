"""The laptop's device keys: one 32-byte key per paired gun, readable by its owner only.

During a pairing the new key waits in <id>.key.new until the gun has committed it; the gun's
identity names its key (key_id), so a cut pairing resolves to the key the gun holds.
"""

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


def _write(path, key):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save(device_id, key):
    path = key_path(device_id)
    _write(path, key)
    return path


def save_staged(device_id, key):
    """A key the gun has staged, kept until the gun commits it (promote())."""
    _write(key_path(device_id) + ".new", key)


def promote(device_id):
    """The gun committed the staged key: it becomes this laptop's key for it."""
    path = key_path(device_id)
    os.replace(path + ".new", path)
    return path


def _read(path):
    try:
        with open(path, "rb") as f:
            key = f.read()
    except FileNotFoundError:
        return None
    if len(key) != auth.KEY_BYTES:
        raise KeyStoreError("%s: not a %d-byte key" % (path, auth.KEY_BYTES))
    return key


def load(device_id, key_id=None):
    """The key paired with this device, or None if this laptop does not hold it. With the
    gun's key_id: the key it names (a staged one the gun has committed is promoted)."""
    path = key_path(device_id)
    key = _read(path)
    if not key_id:
        return key
    if key is not None and auth.key_id(key) == key_id:
        return key
    staged = _read(path + ".new")
    if staged is not None and auth.key_id(staged) == key_id:
        promote(device_id)
        return staged
    return None
