"""dialer: an open-source real-time phonebanking and dialer server for campaigns.

Where things are (tests/unit/test_layers.py checks that every module is in this map, and that the rules
import no I/O library):

Rules (pure: no I/O, time passed in; unit-tested, property-based where inputs are many):
    models, settings, calling_hours, contact_zones, contact_headers, contacts, phones, phone_types,
    caller_ids, calling_methods, guardrails, pacing, abandon_periods, call_estimates, pace, session, roster,
    survey, coaching, notices, transfers, staff_lines, conference_calls, phone_legs, voicemail_audio,
    recording_consent, campaigns, names, csv_encoding, strict_json, times, scripts (but scripts.cli),
    simulation
Stores (Redis adapters): stores, queue (the call queue: leases, results, do-not-call, imports; its Lua
    scripts and every Redis key), crm (the CRM sync's ledger and its VAN/OSDI clients)
Carriers: telephony (Twilio and the simulated carrier, their TwiML and REST)
Processes and entry points: app (the composition root), web (HTTP and WebSocket routes), live (the
    organizers' fan-out), dialing (the pacer's loop), worker, jobs, recording_jobs, cli, admin,
    connections (to Redis: one server or a cluster), embedded (the embedded Redis), passwords (hashing
    off the event loop), demo, demo_seed, demo_keeper, volunteer_sim, volunteer_crowd, scripts.cli
"""

__version__ = "0.1.0"
