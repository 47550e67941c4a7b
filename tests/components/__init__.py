"""Tests of the Home Assistant integration (config flow, coordinators, entities, diagnostics)."""
