"""One module per question asked of the graph; each returns pydantic results with evidence."""
