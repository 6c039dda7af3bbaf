"""Carriers: Twilio and the simulated one, behind the `Carrier` protocol (see base.py)."""
