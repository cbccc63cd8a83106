"""The boards' file store (firmware/ports/files.py) never promotes a possibly torn name.tmp;
the complete name.new a FAT replace leaves behind is finished at the next read."""

import os

from tests.device.test_boards_boot import fake_mcu  # noqa: F401 - the fixture


def test_a_torn_tmp_is_never_promoted_a_complete_new_is(fake_mcu, tmp_path):  # noqa: F811
    from firmware.ports.common import FileStore

    store = FileStore(str(tmp_path / "data"))
    with open(store.path("auth.key.tmp"), "wb") as f:
        f.write(b"\x01" * 7)  # the first pairing cut while the key was being written
    assert store.read_file("auth.key") is None
    assert os.path.exists(store.path("auth.key.tmp"))  # left for the lock to see: locked
    with open(store.path("settings.json.new"), "wb") as f:
        f.write(b"{}")  # cut between removing the old file and renaming the new one
    assert store.read_file("settings.json") == b"{}"
    store.write_file_atomic("settings.json", b'{"a": 1}')
    assert store.read_file("settings.json") == b'{"a": 1}'
    store.remove_file("auth.key")
    assert not os.path.exists(store.path("auth.key.tmp"))
