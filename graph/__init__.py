"""The graph model, identifiers, settings and stores of creditlink."""
