"""The virtual home: simulated ECHONET Lite equipment, a smart meter and a Wi-SUN dongle (``python -m virtual_home``).

Used by the README's demo, by integration tests over real sockets and a real serial stream, and (its physics) by the
planner benchmark.
"""
