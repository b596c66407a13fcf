"""Developer helpers: the request benchmark and the Makefile's probes. Not shipped, not tests."""
