"""Checks: pure judgements of stored facts against a rubric (no network, no crawler).

Data flows config → crawler → store → checks → reports.  ``facts`` reads the store into plain
dataclasses; each indicator family has one module with ``check(facts, as_of, rubric)``;
``scoring`` turns findings into points; ``run`` stores a check run.  Entry points:
:func:`govinspect.checks.rubric.load_rubric` and :func:`govinspect.checks.run.run_checks`.
"""
