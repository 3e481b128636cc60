"""Packaging glue pyproject.toml cannot express: policies/ ships as guardrails._policies."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["guardrails", "guardrails.*"]), "guardrails._policies"],
    package_dir={"guardrails._policies": "policies"},
)
