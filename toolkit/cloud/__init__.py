"""The cloud mirror's client side: the official SDK (huaweicloudsdkvpcep, huaweicloudsdkvpc) and nothing above it.

credentials.py  AK/SK from the SDK's variables or a credentials file (never printed, logged or stored)
client.py       one SDK client per service, retries with backoff, SDK errors → CloudRefused/CloudUnavailable
mapping.py      the SDK's model objects → the state's documents (which are the API's own shapes)
pull.py         a paged read of the whole account → one Snapshot (documents per table)
write.py        write-through: one cloud call per change, answering with the cloud's documents

The SDK is imported only inside client.py's functions, so commands that never reach a cloud stay fast.
The registry (above this layer) applies a Snapshot in one transaction (C1) and calls write.py first for
a change to a mirrored resource (C2).
"""
