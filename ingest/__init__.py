"""Reading source files into the graph: sources, mappings, validation, resolution, quarantine."""
