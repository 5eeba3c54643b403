"""The VPC Endpoint v1 REST API over the state (issue 12): what the official SDK and scripts built on it call.

auth.py    SDK-HMAC-SHA256 signature check (R2), roles (R1)
errors.py  the one table: rule → HTTP status → error_code
shapes.py  the SDK's key names for what the registry returns
vpcep.py   the operations of VpcepClient v1, each through one registry use case
app.py     the Starlette application: request ids, access log, body limit, routing

Only `vpcep api serve` imports this package (starlette and uvicorn stay out of every other command).
"""
