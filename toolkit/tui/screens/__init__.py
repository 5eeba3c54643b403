"""One screen per file: the six areas, their detail screens, forms and modals."""
