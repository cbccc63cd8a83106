"""What the `meso` commands share above the layers: options, output, prompts, progress."""
