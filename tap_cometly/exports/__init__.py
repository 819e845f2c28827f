"""Cometly exports: the job that creates and polls one, the handler that downloads its file."""
