"""The wire contract of DevTeam Runner: every command, event, stored record and REST body.

Models here are strict (unknown fields are rejected), versioned and documented field by field;
`devteam_contracts.schema` exports them as JSON Schema, which a test keeps in sync with the
checked-in copies under `contracts/schema/`.
"""
