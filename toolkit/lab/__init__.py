"""The namespace lab: an on-prem host, a VPN gateway and a VPC, built for real on one machine."""
