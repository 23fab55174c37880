from reference.cli import entry

entry()
