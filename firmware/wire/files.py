"""Files in a gun's data folder that the laptop reads over the REPL, and the lock's files."""

DATA = "data/"  # the data folder, from the flash root
ID_FILE = "device_id"  # the gun's id when its MCU has none of its own (the virtual board)
KEY_FILE = "auth.key"  # the pairing key: KEY_BYTES raw bytes
STAGED_FILE = "auth.new"  # a key staged by PAIR_BEGIN: the key then its SHA-256

