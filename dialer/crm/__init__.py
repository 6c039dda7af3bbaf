"""Results into the campaign's CRM (VAN/EveryAction canvass responses, OSDI `record_canvass_helper`).

Pure core: `catalog` (what the CRM offers), `mapping` (our result codes and script answers -> the CRM's
codes, per script version), `requests` (one result -> one request body). Adapters: `van`, `osdi` (HTTP),
`store` and `ledger` (Redis), `sync` (the worker's loop over the results streams' consumer group).
"""
