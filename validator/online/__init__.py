"""The opt-in online checks (``newslint check --online``): do links resolve, are images the
size their records declare.

Everything that touches the network lives here, behind one bounded, cached pass per run:

- ``settings``: the ``[online]`` configuration table, validated (unknown keys refused);
- ``guard``: the SSRF guard (address classification, allow and deny lists, DNS pinning);
- ``fetch``: the async HTTP client (HEAD, ranged GET, manual redirects, retries, limits);
- ``images``: image sizes from the first bytes of a file, and the ``--image-dir`` mapping;
- ``cache``: the SQLite result cache shared across runs and processes;
- ``run``: the pass itself, gathering targets from record summaries and mapping results back.

The rules in ``rules/online.py`` only interpret the outcomes.
"""
