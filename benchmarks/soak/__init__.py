"""The soak: a week of simulated time with faults mixed in, run against real Home Assistant, in figures.

`python -m benchmarks.soak --days N --seed S --json PATH` runs Home Assistant in its test harness (a real `hass`,
the recorder, three entries: the LAN entry on loopback, the smart-meter entry on the emulated Wi-SUN dongle over
`socket://` TCP, and the Home energy entry with solar charge control on, set up as the closed loop does) against the
virtual home in the same process, over real sockets (UDP on 127.0.7.x, TCP on port
42000 + seed % 1000). Run it in a private network namespace; it binds UDP 3610.

Time. The whole process runs on one frozen clock (freezegun, the harness's `freezer`), which also drives the event
loop's `loop.time()`; `clock.SimDriver` lets the loop drain everything ready and every byte already in a socket buffer,
then moves the clock to the next timer of the loop or the next physics step (10 simulated seconds). So polls, INF, the
meter's 30-minute pushes, request timeouts and the dongle emulator's timers all happen on simulated time, and a day
costs what its work costs: about 170 s real on the 2-core CI machine, a speed-up of about 500 (printed as `speedup`).
Limits: I/O must be in the peer's buffer when sent (loopback UDP and TCP are; the pty is not, so the dongle is on
TCP); work on threads (the recorder, executor jobs) takes real time while simulated time waits only for the executor
jobs Home Assistant tracks; the physics move in 10-second steps; and of the entities only the three sensors the PV
outlook reads are recorded (PV generation, the house energy, the grid import: `conftest.RECORDED`, checked at
set-up), since a week of states of every entity would make the recorder the cost of the run, while without those
three the outlook loses its history once the two imported days leave its 14-day window (`--outlook-days N` moves
that window to show it in a short run). `SOAK_TRACE_MEMORY=types` (or a number of traceback frames) prints, every
three simulated hours, the objects grown by type and what the allocator holds (`memory.py`).

Faults (`schedule.py`): every kind of the virtual home's catalogue once per simulated day at seeded random times, one
at a time — packet-loss burst, answer delay, node silence, node power cycle, address change, garbage datagrams, batch
cap, PANA session expiry, dongle unplug/replug, garbage on the serial line, the ARIB transmit limit, the meter taken by
another controller — and one Home Assistant restart (unload and set-up of the three entries on the same `hass` and
recorder) in the middle of the run.

Figures (`scoring.py`, printed as JSON): per fault kind `count`, `recover_s_median`, `recover_s_max` (from the
fault's end until every entity of the affected device is available with a value written after the end) and
`restart_needed` (not recovered by the start of the next slot); `unavailable_extra_min` (minutes of unavailability
outside the fault windows, total and per entity); `statistics_missing`, `statistics_duplicated` and
`statistics_mismatched` (the meter's long-term statistics rows against its own 30-minute registers, after the
two-day backfill and the restart); `log_exceptions` (log records with a traceback); `memory_growth_mb` (RSS of the
process from the end of a one-hour warm-up to the end; the virtual home is in the same process); solar charge's
`handovers` by reason, `executor_writes` per device, `plan_failures`, and `data_stale_resumptions` (how control came
back after each hand-back for stale meter/PV data); `planning_per_day` (solar charge's updates per simulated day
that planned, and why the others did not) and `outlook_recorded_days` (each day the soak recorded as the PV outlook
reads it at the end: its PV kWh, or null where the outlook does not count it); `board_range_writes` (the
distribution board's channel ranges written over the run: 0 where the board's own ranges cover our channels);
`recorder_database_growth_mb` (the recorder database's growth, which the harness keeps in memory: part of
`memory_growth_mb`).
"""
