"""Exceptions raised by kg, one per stage, all under :class:`KGError`.

Examples
--------
>>> from kg.errors import KGError, IngestError
>>> issubclass(IngestError, KGError)
True
"""


class KGError(Exception):
    """Base class of every error kg raises on purpose."""


class IngestError(KGError):
    """Raised when an article cannot be read: bad encoding, bad front matter, missing text."""


class ExtractError(KGError):
    """Raised when extraction cannot run, e.g. the spaCy model cannot be loaded."""


class BuildError(KGError):
    """Raised when the RDF graph cannot be built or fails validation in strict mode."""


class QueryError(KGError):
    """Raised for an unknown named query, a bad SPARQL query, or an unreadable graph file."""


class GraphError(KGError):
    """Raised by graph questions: unknown or ambiguous actor names, bad filters."""
