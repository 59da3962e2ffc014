"""The command line and the features behind its commands (diff, plan, explain, simulate, init)."""
