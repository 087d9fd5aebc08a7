"""``python -m api`` runs the creditlink CLI (same as the ``creditlink`` script)."""

from api.cli import main

main()
