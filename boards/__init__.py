"""Board definitions: data only, validated by firmware.board."""
