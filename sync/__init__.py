"""Everything that crosses the network: wire protocol, sync client and central server."""
