"""How a Terraform state holds a resource's nested blocks, read by the AWS and the Google Cloud and Azure
mappers alike: hand-edited or unusual JSON may hold anything there, and anything else holds no blocks."""
from __future__ import annotations


def block_list(value) -> list:
    """A nested block's list of objects (a scalar, true, a number: none)."""
    return value if isinstance(value, list) else []


def first_block(value) -> dict:
    """A nested block that the state holds as a list of one object (or none)."""
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}
