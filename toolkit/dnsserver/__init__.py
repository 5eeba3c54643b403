"""The toolkit's DNS server: private zones, static zones, OBS names and forwarding (DESIGN §3, §4, §8)."""
