"""`python -m tap_cometly`: the same command line as `tap-cometly`."""

from tap_cometly.tap import TapCometly

TapCometly.cli()
