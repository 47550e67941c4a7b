"""Simulated ECHONET Lite objects and nodes of the virtual home."""
