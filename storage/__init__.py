"""All SQL of dondoc: the schema, its migrations, and typed rows in and out."""

from storage.db import Database

__all__ = ["Database"]
