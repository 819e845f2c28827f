"""Cometly exports: the job that creates and polls one (through its repository, the HTTP side),
the tracker that keeps several in flight, the handler that downloads their files."""
