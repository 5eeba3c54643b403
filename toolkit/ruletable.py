"""The rules the toolkit enforces, by ID: what each says and the usual fix (the one table errors and `vpcep rules` use).

The IDs are those of the project's spec (V accounts and networks, S services, E endpoints, T tags,
O on-premises access to OBS, F troubleshooting, R credentials, C the cloud mirror) plus `§7`, the
read-only role. An error raised with a rule and no fix of its own gets the fix written here.
This module is a plain table: the lowest layers import it, so it imports nothing.
"""

from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    """One rule: its ID, what it requires, and the fix to try first when it refuses something."""

    id: str
    text: str
    fix: str

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "fix": self.fix}


_SOURCE = "198.19.128.0/17"

_TABLE: dict[str, tuple[str, str]] = {
    # §0 accounts, VPCs and subnets
    "V1": ("The state has one region and domain (set at init) and one or more accounts (domain_id: letters and "
           "digits, 32 hex by default); commands act as the state's own account unless --as names another.",
           "run `vpcep init --region R --domain D` once; name an account with `vpcep account create DOMAIN_ID`"),
    "V2": ("A VPC has a name, an id and an IPv4 CIDR; a subnet's CIDR lies inside its VPC's CIDR and overlaps no "
           "other subnet of that VPC.",
           "give an IPv4 CIDR inside the VPC's range that no other subnet uses (see `vpcep subnet list --vpc VPC`)"),
    "V3": (f"No VPC subnet may overlap {_SOURCE}, the endpoint-side source range.",
           f"pick a subnet CIDR outside {_SOURCE}"),
    "V4": ("A subnet's gateway is its first usable address; the network, gateway and broadcast addresses are never "
           "given to endpoints.",
           "give --ip an address inside the subnet other than its network, gateway and broadcast addresses"),
    "V5": ("A VPC or subnet with endpoints or services in it cannot be deleted.",
           "delete the endpoints and services in it first (`vpcep endpoint list`, `vpcep service list`)"),
    # §1 endpoint services
    "S1": ("Two service types: gateway (cloud services only; OBS is built in) and interface (cloud services such as "
           "DNS, and the user's own private services).",
           "leave --type out: services you create are interface"),
    "S2": ("Cloud services (at least obs and dns) are built in per region: they can be listed and selected, not "
           "created, changed or deleted, and their short names are taken.",
           "create your own interface service with `vpcep service create` instead"),
    "S3": ("A user-created service is always interface.",
           "leave --type out (interface)"),
    "S4": ("A service has the API's fields; its backend (server_type) is LB (load balancer) or VM (ECS); VIP and "
           "BMS are deprecated (accepted with a warning). Descriptions: one printable line of at most 512 "
           "characters without < or >.",
           "use --backend LB or VM; write a description of one line, at most 512 characters, without < or >"),
    "S5": ("A service name is at most 16 letters, digits, _ or -; the stored name is <region>.<name>.<id> "
           "(<region>.<id> without a name), and finding a service by name looks up the stored name.",
           "use at most 16 letters, digits, _ or -; refer to a service by its id or stored name"),
    "S6": ("Port mappings: TCP only, server_port and client_port 1-65535, 1 to 50 per service, no client_port "
           "twice; they can be viewed but not changed after creation.",
           "write --port SERVER_PORT:CLIENT_PORT (TCP); to change mappings create a new service"),
    "S7": ("A service has exactly one backend resource (port_id).",
           "give one --port-id (the LB or VM port id)"),
    "S8": ("At most 20 services per account and region unless the quota is raised.",
           "delete unused services or raise the quota with `vpcep quota --set endpoint_service=N`"),
    "S9": ("Service statuses: creating, available, failed, deleting, deleted; endpoints connect only to an "
           "available service.",
           "wait until the service is available or pick another service"),
    "S10": ("Only user-created services can be deleted, and not while an endpoint of it is accepted or creating; "
            "deletion is permanent.",
            "reject or delete the service's accepted and creating endpoints first (`vpcep service connections`)"),
    "S11": (f"The subnet of a service or endpoint must not overlap {_SOURCE}, nor may any custom route of its VPC.",
            f"use subnets and custom routes that do not overlap {_SOURCE}"),
    "S12": ("Connection management (owner only): list a service's endpoints and accept or reject them, which "
            "needs approval on; the owner may describe each connection (at most 512 printable characters, "
            "no < or >).",
            "act as the service's owner (--as); turn approval on with `vpcep service update ID --approval on`"),
    "S13": ("Whitelist entries are iam:domain::<domain_id> (letters and digits, or *) or "
            "organizations:orgPath::<path>; * alone means everyone; the owner is always allowed; each entry has "
            "an id, a description and created_at.",
            "write iam:domain::<domain_id>, organizations:orgPath::<path> or *; list entries with "
            "`vpcep service whitelist ID`"),
    "S14": ("connection_count counts the service's endpoints that are creating or accepted.",
            "see `vpcep service connections ID` for each endpoint's status"),
    "S15": (f"The backend must let {_SOURCE} in on every server_port (security group, LB listener access control, "
            "subnet ACL); recorded per service with `vpcep service rules`.",
            f"record the backend's rules, e.g. `vpcep service rules ID --add sg:{_SOURCE}:PORT`"),
    # §2 endpoints
    "E1": ("An endpoint connects to exactly one service; a service can have many endpoints; traffic flows "
           "endpoint to service only.",
           "create one endpoint per service you need (`vpcep endpoint create --service ID|NAME`)"),
    "E2": ("Endpoint and service are in the same region; a name from another region is answered "
           "\"Service name not found.\".",
           "use a service of this state's region (`vpcep service list`)"),
    "E3": ("A service is chosen from the cloud-service list or by name, with a verify step that answers exactly "
           "\"Service name found.\" or \"Service name not found.\".",
           "check the name with `vpcep service verify NAME` or see `vpcep service list`"),
    "E4": ("An interface endpoint needs a VPC and a subnet and gets a free private ip from that subnet "
           "(an explicit --ip is honoured if free and inside it).",
           "give --subnet (and --ip, if any, a free address of that subnet)"),
    "E5": ("With --dns the endpoint gets private names whose A records point at its ip while it is accepted.",
           "use only {endpoint_id}, {service}, {region} and {domain} in [dns] name_template"),
    "E6": ("A gateway endpoint (OBS) needs a VPC and route tables, no subnet and no ip; traffic to the OBS range "
           "is routed to it; one OBS endpoint per route table.",
           "give --routetable (default: the VPC's route table) and no --subnet, --ip or --dns"),
    "E7": ("At most 50 endpoints per account and region unless the quota is raised; an endpoint carries at most "
           "3,000 concurrent connections.",
           "delete unused endpoints or raise the quota with `vpcep quota --set endpoint=N`"),
    "E8": ("Endpoint statuses: pendingAcceptance, creating, accepted, rejected, failed, deleting; approval off goes "
           "creating to accepted, approval on waits for accept or reject; a rejected endpoint can be accepted "
           "later.",
           "accept only pendingAcceptance or rejected endpoints, reject only pendingAcceptance or accepted ones"),
    "E9": ("An endpoint for another account's service needs that account's whitelist to name the caller "
           "(or *).",
           "ask the owner to run `vpcep service whitelist ID --add iam:domain::<your domain_id>`"),
    "E10": ("An endpoint's own whitelist (enable_whitelist + whitelist): at most 20 IPv4 addresses or CIDRs that "
            "may use the endpoint; bad CIDRs are refused.",
            "write entries such as 10.0.0.0/24 or 192.168.1.5, at most 20 "
            "(`vpcep endpoint update ID --whitelist CIDR ...`)"),
    "E11": ("Deleting an endpoint is permanent and removes its private DNS record.",
            "see `vpcep endpoint list` for the endpoints that exist"),
    "E12": ("Search services by name or id keyword, endpoints by id or service-name keyword, both by up to 10 "
            "tags (all must match).",
            "give at most 10 --tag K=V filters"),
    "E13": ("Endpoint details show the service name, private ip, private names, status, VPC, subnet, tags, "
            "description and created_at; access is ip:client_port or name:client_port.",
            "see `vpcep endpoint show ID`"),
    # §3 tags
    "T1": ("At most 10 tags per resource; keys are unique per resource.",
           "delete a tag before adding another, and give each key once"),
    "T2": ("A tag key is not blank, at most 128 characters, without leading or trailing space and none of "
           "= * < > \\ , | /.",
           "shorten the key and drop = * < > \\ , | / and outer spaces"),
    "T3": ("A tag value may be blank, at most 255 characters, with the key's character rules.",
           "shorten the value and drop = * < > \\ , | /"),
    "T4": ("Tags are added, edited (value only) and deleted.",
           "use `tag ID --set K=V` to add or edit and `--delete K` to delete"),
    # §4 on-premises access to OBS
    "O1": ("On-premises access to OBS needs two endpoints in one VPC: one to the DNS cloud service (its ip is the "
           "forwarder target) and one to OBS (gateway).",
           "create an endpoint to `dns` and one to `obs` in the same VPC (`vpcep endpoint create --service dns`)"),
    "O2": ("On-premises resolvers forward the OBS names (obs.<region>.<domain> and its buckets) and the private "
           "zone to the DNS endpoint's ip.",
           "render the resolver settings with `vpcep routes render PLAN --format bind|unbound|dnsmasq|resolv`"),
    "O3": ("A host route to the DNS endpoint's ip (/32) goes via the VPN or Direct Connect gateway.",
           "plan and install the routes: `vpcep routes plan --gateway IP --out PLAN`, `vpcep routes apply PLAN`"),
    "O4": ("A route to the OBS range 100.125.0.0/16 goes via the same gateway.",
           "plan and install the routes: `vpcep routes plan --gateway IP --out PLAN`, `vpcep routes apply PLAN`"),
    "O5": ("The VPC side reached over VPN or Direct Connect advertises the OBS range (and the endpoint subnets) "
           "in its networks.",
           "add 100.125.0.0/16 to the networks the VPN or Direct Connect connection carries"),
    "O6": ("Verification: resolve <bucket>.obs.<region>.<domain> and connect to it over TCP, and reach each "
           "interface endpoint as ip:port and name:port.",
           "run `vpcep check` (and `vpcep check obs BUCKET`) and follow the first failing step's fix"),
    # §5 troubleshooting
    "F1": (f"The backend's security group allows inbound {_SOURCE} on the service ports.",
           f"add an inbound rule for {_SOURCE} on every server_port (`vpcep service rules ID --add sg:...`)"),
    "F2": ("The subnet's network ACL does not block that traffic.",
           f"allow {_SOURCE} in the subnet ACL before any deny (`vpcep service rules ID --add acl:...`)"),
    "F3": (f"An LB backend's listener access control allows {_SOURCE}.",
           f"add {_SOURCE} to the listener's access control (`vpcep service rules ID --add listener:...`)"),
    "F4": ("The endpoint is accepted (not pendingAcceptance or rejected) and its service available.",
           "the service owner accepts it with `vpcep service accept SERVICE ENDPOINT_ID`"),
    "F5": ("Endpoint and service are in the same region and the caller's account is still whitelisted.",
           "ask the owner to whitelist your account (`vpcep service whitelist ID --add iam:domain::<id>`)"),
    "F6": ("With the endpoint whitelist on, the address the admin's host connects from is inside it.",
           "add the host's source address with `vpcep endpoint update ID --whitelist CIDR ...`"),
    # §7 roles and credentials
    "§7": ("The viewer role and read-only mode may only read (list, show, search, checks).",
           "drop --read-only (or VPCEP_READ_ONLY) to change, or use an admin key"),
    "R1": ("API access uses access keys bound to one account, its project in the region, and a role: admin "
           "(every operation) or viewer (reads only).",
           "create a key with `vpcep api key create --role admin|viewer`"),
    "R2": ("Every API request is signed (SDK-HMAC-SHA256); an unknown key, a wrong signature, a stale date or "
           "another key's project is refused before any work.",
           "sign with the key's AK/SK, the right project and the current time"),
    "R3": ("A secret is shown once, when it is created, and never in output, logs or errors; a deleted key stops "
           "working at once.",
           "create a new key if the secret is lost (`vpcep api key create`)"),
    "R4": ("--as acts as an existing account only; accounts are created explicitly.",
           "create the account with `vpcep account create DOMAIN_ID` (see `vpcep account list`)"),
    # §8 the cloud mirror
    "C1": ("Resources pulled from a cloud account are marked as the cloud's; a pull adds, changes and removes "
           "exactly what the cloud reports, in one transaction, and never touches local-only resources.",
           "run `vpcep cloud pull` again to bring the mirror up to date"),
    "C2": ("A change to a mirrored resource is made in the cloud first; the mirror changes only from the cloud's "
           "answer.",
           "make the change again once the cloud is reachable, or in the cloud console"),
    "C3": ("A failed pull or write-through leaves the state as it was and names the cloud's error code, message "
           "and request id.",
           "fix what the cloud's error names, then run `vpcep cloud pull` again"),
}

RULES: dict[str, Rule] = {rule_id: Rule(rule_id, text, fix) for rule_id, (text, fix) in _TABLE.items()}
"""Every rule by ID, in the spec's order."""


def lookup(rule_id: str) -> Rule | None:
    """The rule with this ID (case-insensitive), or None."""
    return RULES.get(rule_id) or RULES.get(rule_id.strip().upper())


def default_fix(rule_id: str) -> str:
    """The table's fix for a rule, or "" for an ID the table does not hold (settings sections such as `dns`)."""
    rule = lookup(rule_id) if rule_id else None
    return rule.fix if rule else ""


def markdown() -> str:
    """docs/rules.md: every rule with its text and fix, generated from this table."""
    lines = ["# Rules", "", "Generated by `vpcep rules --markdown > docs/rules.md` from `toolkit/ruletable.py`: "
             "the table the error messages use. An error names its rule as `[ID]`; `vpcep rules ID` prints one.",
             "", "| id | rule | fix |", "|----|------|-----|"]
    lines += [f"| {r.id} | {_cell(r.text)} | {_cell(r.fix)} |" for r in RULES.values()]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
