"""Power and predictive dialing on the live server: volunteers' availability, the pacer loop that places
calls, and the bridge that connects answered voters to free volunteers (DESIGN.md decisions 7 and 8)."""
