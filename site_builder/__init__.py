"""Build the Safer Colchester Partnership site from YAML content."""
