"""Pictures of credit networks: self-contained, offline HTML (pyvis / vis-network)."""
