"""Helpers shared by the test suites: the moto server, call counting, fault injection."""
