"""Measurements of the Home Assistant integration against the virtual home (see `__main__`)."""
