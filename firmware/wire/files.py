"""Files in a gun's data folder that the laptop reads or writes over the REPL (meso pair)."""

DATA = "data/"  # the data folder, from the flash root
ID_FILE = "device_id"  # the gun's id when its MCU has none of its own (the virtual board)
KEY_FILE = "auth.key"  # the pairing key: KEY_BYTES raw bytes
