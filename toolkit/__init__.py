"""vpcep-toolkit: VPC endpoint inventory, private DNS, routes and checks for on-prem admins."""

__version__ = "0.1.0"
