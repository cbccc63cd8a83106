"""The laptop side of mesogun: the `meso` command and what it needs.

Layers, imports pointing down only (tests/test_host_layers.py checks every import):
    cli.py -> commands/ -> cliutil/ (options, output, prompts, progress, protocol-file glue)
    commands/ and cliutil/ -> link/ (transport, session, streaming, signing, this laptop's keys)
                              protocol/ (protocol files), report/ (session reports)
    commands/ -> flash/ (build, deploy, verify, calibrate) -> link/
Each layer raises its own subclass of errors.MesoError; README.md lists their exit statuses.
"""
