"""Routing: which place a user means, and which contacts near them can help.

`places` matches what people type against content/places.yml, `contacts` reads and checks
content/contacts.yml, and `rank` orders contacts for one user.
"""
