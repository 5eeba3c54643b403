"""Connectivity checks: state → dns → route → policy → tcp, each a result with its rule and fix."""
