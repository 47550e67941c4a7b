"""Fuzzing in numbers: `python -m benchmarks.fuzz [--quick] [--seed S] [--executions N] [--json PATH]`.

Four targets, each fed one generated input per execution (seeded, reproducible, sharded over worker processes):

- `echonet_frame_client`: datagrams into `EchonetClient.handle_datagram` (a started client on an ephemeral loopback
  port, with a request of its own outstanding), then the frame decoder and the class-spec, property-map and
  instance-list decoders for every property of every frame that decodes;
- `echonet_frame_virtual_home`: datagrams into the virtual home's nodes (`EchonetNode.receive`), in process;
- `skstack_lines`: SKSTACK-IP output into one `LineParser` per shard (state carries over, as on a serial line), and
  the ECHONET payload of every ERXUDP through the frame decoder and the smart-meter decoders;
- `inputs`: config-flow and action inputs through the validators the flows use (addresses, port URLs, B-route ID and
  password, property values through the class specs' encoders).

A crash is an exception other than the documented ones (each target catches those where the real caller does), or an
error logged with a traceback; a hang is an input whose processing took longer than the per-input budget. See
`docs/reliability.md` ("Fuzz") for the figures of a full run.
"""
