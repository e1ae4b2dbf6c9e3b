"""Carry out a plan against AWS, in order, one resource at a time."""
