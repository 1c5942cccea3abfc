"""newslint: data-quality validation and schema linting for news records."""

__version__ = "0.1.0"
