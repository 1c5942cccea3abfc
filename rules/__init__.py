"""newslint's built-in rules, one module per family, registered through the
``newslint.rules`` entry points exactly as third-party plugins are."""
