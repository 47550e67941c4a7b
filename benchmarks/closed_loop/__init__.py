"""The closed-loop proof of solar charge: real Home Assistant carries out its plan on the virtual home for whole days.

`python -m benchmarks.closed_loop --days N --json PATH [--seed S]` runs Home Assistant in its test harness (a real
`hass` and recorder, the LAN entry on loopback and the Home energy entry with solar charge control ON, TEPCO Smart
Life S) against the virtual home in the same process, over real sockets (UDP 3610 on 127.0.8.x: run it in a private
network namespace). One frozen clock drives both: `benchmarks.soak.clock.SimDriver` moves Home Assistant's time and
the event loop event by event, and the home's physics follow it on a 60-second grid.

Before the loop starts the home lives `HISTORY_DAYS` days on its own (devices in automatic); their PV and house
energy per hour become the recorder's long-term statistics of the PV and house energy sensors (the PV outlook and
the sunny-day guard read them), as if Home Assistant had recorded them.

The baseline is the same home alone, same seed, same days, devices in automatic (the physics are deterministic and
stepped on the same grid, so the two runs differ only by what solar charge wrote). Costs come from the home's ground
truth (`VirtualHome.truth`: bought and sold energy) per 30-minute slot, priced with the tariff (`lib/energy/cost.py`).

Figures (`scoring.py`, JSON): `savings_yen`, `cost_yen`, `cost_yen_off`, `import_kwh`, `import_kwh_off`,
`export_kwh(_off)`, `writes_per_device_day`, `max_writes_device_day`, `comfort_failures(_off)`, `hand_change_paused`,
`kappa` (the loop's savings ÷ the same-device oracle's on the benchmark scenario of the same days,
`oracle_scenario.py`), `kappa_bound`, `kappa_offline` (strategy (d) run offline on that scenario), `model_gap_yen` (the
benchmark's "automatic" minus the loop's OFF run), `offline` (the details), `days`, `seed`, `real_s`.
"""
