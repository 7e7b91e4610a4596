"""The caseworkers' console at /console: server-rendered pages over the case service."""
