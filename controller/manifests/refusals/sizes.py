"""Task sizes: reading `cpu` and `memory` as ECS does, and Fargate's table of valid pairs.

Sources (botocore's ECS model, RegisterTaskDefinitionRequest `cpu` and
`memory`; AWS docs "Task size" in the Fargate task definition parameters, and
"Troubleshoot Amazon ECS task definition invalid CPU or memory errors"):
- `cpu` is CPU units as an integer ("1024") or vCPUs ("1 vCPU", "1 vcpu");
  on EC2 it is 128 to 196608 units. `memory` is MiB ("1024") or GB ("1GB",
  "1 GB"). Anything else is "Invalid 'cpu' setting for task".
- On Fargate the pair must come from the table below, including the 8 and 16
  vCPU rows (Linux platform 1.4.0 or later).
"""

from __future__ import annotations

import re
from fractions import Fraction

EC2_CPU = (128, 196608)
"""Task-level CPU units ECS accepts outside Fargate."""

_AMOUNT = r"\s*(\d+(?:\.\d+)?)\s*"
_CPU = re.compile(rf"{_AMOUNT}(vcpu)?\s*", re.IGNORECASE)
_MEMORY = re.compile(rf"{_AMOUNT}(gb)?\s*", re.IGNORECASE)


def _steps(low: int, high: int, step: int) -> tuple[int, ...]:
    return tuple(range(low, high + 1, step))


FARGATE: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}
"""Fargate task CPU units -> the memory values (MiB) allowed with them."""


def cpu_units(value: object) -> int | None:
    """Task `cpu` in CPU units, or None when ECS would not read it."""
    return _scaled(value, _CPU)


def memory_mib(value: object) -> int | None:
    """Task `memory` in MiB, or None when ECS would not read it."""
    return _scaled(value, _MEMORY)


def _scaled(value: object, pattern: re.Pattern[str]) -> int | None:
    """The number in `value`, times 1024 when it carries the unit (vCPU, GB); whole and > 0."""
    if not isinstance(value, str):
        return None
    found = pattern.fullmatch(value)
    if found is None:
        return None
    amount = Fraction(found.group(1))
    if found.group(2):
        amount *= 1024
    if amount.denominator != 1 or amount <= 0:
        return None
    return int(amount)


def fargate_memory(cpu: int) -> tuple[int, ...]:
    """The memory values Fargate allows with `cpu` units; () when `cpu` is not a Fargate size."""
    return FARGATE.get(cpu, ())


def describe(values: tuple[int, ...]) -> str:
    """`512, 1024 or 2048`, or a range with its step for the long rows."""
    if len(values) <= 4:
        return ", ".join(str(v) for v in values[:-1]) + f" or {values[-1]}"
    step = values[1] - values[0]
    return f"{values[0]} to {values[-1]} in steps of {step}"
