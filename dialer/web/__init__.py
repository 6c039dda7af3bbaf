"""The web edge: routes, auth, pages and WebSockets. Handlers parse, call, respond; no business rules here."""
