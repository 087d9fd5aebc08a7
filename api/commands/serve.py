"""``creditlink serve``: run the HTTP API with uvicorn; ``creditlink api-key new``: issue a key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
import yaml
from rich.console import Console

from api.app import create_app
from api.security import ApiKeyEntry, KeyRing, KeysFile, Role, hash_key, new_key
from graph.exc import InvalidModel
from graph.settings import Settings

__all__ = ["register"]

err_console = Console(stderr=True)


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="worker processes (more than 1 needs a Neo4j store)")
    ] = 1,
    access_log: Annotated[bool, typer.Option(help="log every request to stderr")] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the HTTP API (OpenAPI at /docs) over the configured store."""
    settings = Settings()
    if workers > 1 and not settings.uses_neo4j:
        # Each worker would load its own copy of the embedded graph and never see the others'
        # writes: the embedded store serves from one process.
        raise typer.BadParameter(
            "the embedded store lives in one process: use --workers 1, or a Neo4j store "
            "(CREDITLINK_STORE=bolt://...)",
            param_hint="--workers",
        )
    try:
        create_app(settings)  # fail here, once, on a bad key file or role
    except InvalidModel as err:
        raise typer.BadParameter(str(err)) from err
    store = settings.store if settings.uses_neo4j else f"memory ({settings.memory_store_file})"
    err_console.print(
        f"creditlink API on http://{host}:{port}/docs, store {store}, "
        f"{workers} worker(s), audit log {settings.audit_log_file}"
    )
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level=log_level,
    )


api_key_app = typer.Typer(
    help="Issue API keys (only their SHA-256 is stored).", no_args_is_help=True
)


@api_key_app.command("new")
def new_api_key(
    key_id: Annotated[str, typer.Option("--id", help="name of the key (shown in the audit log)")],
    role: Annotated[Role, typer.Option(help="what the key may do")],
    file: Annotated[
        Path | None,
        typer.Option(help="key file (YAML) to add the entry to; else the entry is printed"),
    ] = None,
    note: Annotated[str, typer.Option(help="free text kept with the entry")] = "",
) -> None:
    """Create a key: prints the key once (stdout); stores or prints its digest entry."""
    key = new_key()
    entry = ApiKeyEntry(id=key_id, role=role, sha256=hash_key(key), note=note)
    if file is None:
        err_console.print("add this entry to the key file (CREDITLINK_API_KEYS_FILE):")
        err_console.print(yaml.safe_dump({"keys": [entry.model_dump(mode="json")]}).rstrip())
    else:
        if file.suffix == ".toml":
            raise typer.BadParameter("only YAML key files are edited here", param_hint="--file")
        existing = KeysFile()
        if file.exists():
            try:
                existing = KeysFile.model_validate(yaml.safe_load(file.read_text()) or {})
            except ValueError as err:
                raise typer.BadParameter(f"{file}: {err}", param_hint="--file") from err
        try:
            updated = KeysFile(keys=[*existing.keys, entry])
        except ValueError as err:
            raise typer.BadParameter(str(err), param_hint="--id") from err
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(yaml.safe_dump(updated.model_dump(mode="json"), allow_unicode=True))
        KeyRing.load(file, None)  # the file still loads
        err_console.print(f"added key {key_id!r} ({role.value}) to {file}")
    typer.echo(key)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``api-key`` to the CLI."""
    app.command("serve")(serve)
    app.add_typer(api_key_app, name="api-key")
