"""Protocol, planning and simulation logic of ECHONET Lite HEMS.

Nothing under this package imports Home Assistant; the integration is a thin layer on top.
"""
