"""One widget per file: the header, the filterable table and the detail panels."""
