"""Privacy: pseudonymous conversation keys, sealed channel addresses, forgetting, retention
and log scrubbing. See THREAT_MODEL.md for what each part defends against."""
