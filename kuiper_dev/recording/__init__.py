"""Recordings of MQTT traffic: format, reader, writer (see DESIGN.md)."""
