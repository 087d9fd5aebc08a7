"""The HTTP API (FastAPI) and the ``creditlink`` command line, thin layers over ``queries/``."""
