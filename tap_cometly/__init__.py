"""tap-cometly."""
