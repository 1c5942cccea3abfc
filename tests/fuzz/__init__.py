"""Fuzzing newslint: input generators and invariants (strategies.py), the property tests
(test_fuzz.py) and, outside the test suite, the long-running bench (bench/fuzz.py)."""
