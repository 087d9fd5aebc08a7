"""The default transport-sector catalog (YAML data shipped with the package)."""
