"""`vpcep api serve`: the VPC Endpoint v1 REST API (and a read-only VPC v1 subset) over the state (issue 12).

auth checks SDK-HMAC-SHA256 signatures against the state's keys, errors is the one rule → status → code
table, shapes turns registry objects into the SDK's key names, app holds the Starlette routes. Only
`api serve` imports app (starlette and uvicorn are heavy).
"""
