"""The command line: flags and config in, one command run (see main.py)."""
