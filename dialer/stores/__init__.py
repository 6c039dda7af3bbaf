"""Stores: the Redis adapters of the things the dialer keeps (accounts, campaigns, teams, scripts, people
search, recordings, voicemail audio, sign-in counters), each a class or functions taking a client.

The call queue's stores (leases, results, do-not-call, imports) are dialer/queue/, beside their Lua scripts
and every Redis key (dialer/queue/keys.py). The rules these stores keep are the pure modules in dialer/."""
