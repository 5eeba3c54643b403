"""The Textual console (`vpcep tui`): imported only by the `tui` and `screenshots` commands."""
