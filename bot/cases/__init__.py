"""Cases: a user handed over to a person, and everything said while a person holds it."""
