"""`python -m demo` (run by `scripts/demo`): Home Assistant 2025.4.4 with this integration against the virtual home.

It starts the simulated home and Home Assistant with a generated configuration, completes onboarding over the REST
API, adds the integration's entries through the real config flow, sets up the Energy dashboard and a home dashboard,
and prints the URL, the demo login and an access token. `--check` adds the headless-browser check and screenshots.
"""
