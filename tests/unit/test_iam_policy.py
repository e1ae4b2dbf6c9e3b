"""helm-free-deploy/iam-policy.json grants exactly the AWS operations ecsync calls.

The operations are read from the code, not from a list kept by hand: every
request goes through `controller.aws.calls` (`call`, `paginate`, `create`,
each taking `aws, service, operation, ...`), so an AST scan of `controller/`
finds them all. An operation passed in by a caller (a helper taking the
operation name as a parameter) is followed to the literals its callers pass.
A direct client method call (`aws.ecs.describe_services(...)`) counts too.

Not scanned:
- `controller/aws/calls.py`: the mechanism itself; it forwards its callers'
  arguments.
The embedded moto of `--local` (`ecsync_local/`: its sandbox VPC, subnets
and Auto Scaling group, and patches to moto's classes) is outside
`controller/`, so it is not scanned: it never runs against AWS.
"""

from __future__ import annotations

import ast
import functools
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import yaml
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
CONTROLLER = ROOT / "controller"
POLICY = ROOT / "helm-free-deploy" / "iam-policy.json"
CLOUDFORMATION = ROOT / "helm-free-deploy" / "cloudformation.yaml"

NOT_SCANNED = {
    "controller/aws/calls.py": "the call mechanism; it forwards its callers' arguments",
    "controller/aws/batching.py": "forwards its callers' service and operation (FORWARDERS)",
    "controller/aws/creating.py": "forwards its callers' service and operation (FORWARDERS)",
}
CALL_FUNCTIONS = frozenset({"call", "paginate", "create"})
"""Functions of `controller.aws.calls` whose 2nd and 3rd arguments are service and operation."""
FORWARDERS = {
    "calls": CALL_FUNCTIONS,
    "batching": {"describe"},
    "creating": {"create_owned"},
}
"""Module -> its functions that take (aws, service, operation, ...) and send that call."""
CLIENT_PROPERTIES = frozenset({"ecs", "ecr"})
"""`Aws` properties that return boto3 clients."""
IAM_PREFIX = {
    "ecs": "ecs",
    "ecr": "ecr",
    "ec2": "ec2",
    "autoscaling": "autoscaling",
    "dynamodb": "dynamodb",
    "servicediscovery": "servicediscovery",
    "kms": "kms",
    "logs": "logs",
    "scheduler": "scheduler",
    "application-autoscaling": "application-autoscaling",
}
"""boto3 service name -> IAM service prefix (a new service is a deliberate addition here)."""
IMPLIED = {
    "ecs:RegisterTaskDefinition": {"iam:PassRole", "ecs:TagResource"},
    "ecs:RunTask": {"iam:PassRole", "ecs:TagResource"},
    "ecs:CreateService": {"ecs:TagResource"},
    "ecs:CreateCluster": {"ecs:TagResource"},
    "ecs:CreateCapacityProvider": {"ecs:TagResource"},
    "ecr:CreateRepository": {"ecr:TagResource"},
    # CreateLogGroup.tags: "you must have either the logs:TagResource or logs:TagLogGroup
    # permission" (CloudWatch Logs API Reference).
    "logs:CreateLogGroup": {"logs:TagResource"},
    # A schedule's Target.RoleArn is passed to EventBridge Scheduler (Scheduler User Guide,
    # "Set up the execution role": iam:PassRole on the role).
    "scheduler:CreateSchedule": {"iam:PassRole"},
    "scheduler:UpdateSchedule": {"iam:PassRole"},
    "application-autoscaling:RegisterScalableTarget": {
        "application-autoscaling:TagResource",
        "iam:CreateServiceLinkedRole",
    },
    "application-autoscaling:PutScalingPolicy": {
        "cloudwatch:DescribeAlarms",
        "cloudwatch:PutMetricAlarm",
    },
    "application-autoscaling:DescribeScalingPolicies": {"cloudwatch:DescribeAlarms"},
    "application-autoscaling:DeleteScalingPolicy": {
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
    },
}
"""Actions AWS authorises besides the operation's own: iam:PassRole for the task and
execution roles a task definition names, and TagResource for tags sent with a create.
Application Auto Scaling (User Guide, "Permissions required for API actions on target
services and CloudWatch"; ECS Developer Guide, "IAM permissions required for Amazon ECS
service auto scaling"): the first RegisterScalableTarget creates the service-linked role
AWSServiceRoleForApplicationAutoScaling_ECSService, and target tracking policies make and
delete their CloudWatch alarms with the caller's permissions."""


class Unresolved(Exception):
    """An argument that is neither a literal nor traceable to literals."""


def scan_source(source: str, where: str) -> set[tuple[str, str]]:
    """(service, boto3 method) pairs of every AWS call in one module's source."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.attr in FORWARDERS.get(func.value.id, ())
        ):
            if len(node.args) < 3:
                raise Unresolved(f"{where}:{node.lineno}: calls.{func.attr} without positional ids")
            services = _literals(node.args[1], node, tree, parents, where)
            operations = _literals(node.args[2], node, tree, parents, where)
            found |= {(s, o) for s in services for o in operations}
        elif isinstance(func, ast.Attribute) and _is_client(func.value):
            found.add((_client_service(func.value, where), func.attr))
    return found


def _is_client(node: ast.expr) -> bool:
    """`aws.ecs` (a client property) or `aws.client("ecs")`."""
    if isinstance(node, ast.Attribute):
        return node.attr in CLIENT_PROPERTIES and isinstance(node.value, ast.Name)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "client"
    )


def _client_service(node: ast.expr, where: str) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    assert isinstance(node, ast.Call)
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    raise Unresolved(f"{where}:{node.lineno}: a client for a service that is not a literal")


def _literals(
    arg: ast.expr,
    call: ast.AST,
    tree: ast.Module,
    parents: dict[ast.AST, ast.AST],
    where: str,
    depth: int = 0,
) -> set[str]:
    """The string values `arg` can have: a literal, either branch of `a if c else b`, or a
    parameter of the enclosing function, followed to what its callers in the module pass."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.IfExp):
        return _literals(arg.body, call, tree, parents, where, depth) | _literals(
            arg.orelse, call, tree, parents, where, depth
        )
    if isinstance(arg, ast.Name) and depth < 5:
        function = _enclosing_function(call, parents)
        if function is not None:
            params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if arg.id in params:
                return _passed_by_callers(
                    function, params.index(arg.id), arg.id, tree, parents, where, depth
                )
            unpacked = _from_table(arg.id, function, tree)
            if unpacked:
                return unpacked
    raise Unresolved(
        f"{where}:{getattr(arg, 'lineno', '?')}: cannot tell which AWS service or operation "
        f"{ast.unparse(arg)!r} is; pass a literal, or teach {Path(__file__).name} the new shape"
    )


def _from_table(
    name: str, function: ast.FunctionDef | ast.AsyncFunctionDef, tree: ast.Module
) -> set[str]:
    """`a, b = TABLE[key]` in `function`, TABLE a module-level dict of literal tuples: the
    values `name` can take (e.g. the operation of each entry of a table of calls)."""
    tables = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(function):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript)):
            continue
        table = node.value.value
        target = node.targets[0]
        if not (
            isinstance(table, ast.Name) and table.id in tables and isinstance(target, ast.Tuple)
        ):
            continue
        names = [t.id if isinstance(t, ast.Name) else None for t in target.elts]
        if name not in names:
            continue
        index = names.index(name)
        cells = [row.elts[index] for row in tables[table.id].values if isinstance(row, ast.Tuple)]
        return {
            cell.value
            for cell in cells
            if isinstance(cell, ast.Constant) and isinstance(cell.value, str)
        }
    return set()


def _enclosing_function(
    node: ast.AST, parents: dict[ast.AST, ast.AST]
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _passed_by_callers(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    index: int,
    name: str,
    tree: ast.Module,
    parents: dict[ast.AST, ast.AST],
    where: str,
    depth: int,
) -> set[str]:
    is_method = isinstance(parents.get(function), ast.ClassDef)
    values: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = node.func
        called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
        if called != function.name:
            continue
        position = index - 1 if is_method else index
        keyword = next((k.value for k in node.keywords if k.arg == name), None)
        passed = node.args[position] if 0 <= position < len(node.args) else keyword
        if passed is None:
            raise Unresolved(f"{where}:{node.lineno}: {function.name}() without {name}")
        values |= _literals(passed, node, tree, parents, where, depth + 1)
    if not values:
        raise Unresolved(f"{where}:{function.lineno}: nothing calls {function.name}()")
    return values


def scanned_modules() -> Iterator[Path]:
    for path in sorted(CONTROLLER.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if not any(
            relative == p or (p.endswith("/") and relative.startswith(p)) for p in NOT_SCANNED
        ):
            yield path


def code_operations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in scanned_modules():
        found |= scan_source(path.read_text(), path.relative_to(ROOT).as_posix())
    return found


@functools.cache
def _api_names(service: str) -> dict[str, str]:
    """boto3 method name -> API operation name, from botocore's model of `service`."""
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def iam_action(service: str, method: str) -> str:
    """`("ecs", "describe_services")` -> `"ecs:DescribeServices"`, checked against botocore."""
    api = _api_names(service)
    if method not in api:
        raise KeyError(f"{service} has no operation {method!r}")
    return f"{IAM_PREFIX[service]}:{api[method]}"


def needed_actions() -> set[str]:
    actions = {iam_action(service, method) for service, method in code_operations()}
    return actions | {extra for action in actions for extra in IMPLIED.get(action, ())}


def statement_actions(statement: dict[str, Any]) -> list[str]:
    assert statement["Effect"] == "Allow", statement.get("Sid")
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def granted_actions(policy: dict[str, Any]) -> list[str]:
    return [action for s in policy["Statement"] for action in statement_actions(s)]


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short intrinsics (`!Sub`, `!GetAtt`...) read as plain values."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node)


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def test_every_aws_call_in_the_code_is_understood() -> None:
    """The scan resolves every call to a known service and an operation botocore knows."""
    operations = code_operations()
    assert ("ecs", "describe_services") in operations
    for service, method in operations:
        assert service in IAM_PREFIX, f"new AWS service {service!r}: add its IAM prefix"
        iam_action(service, method)


def test_the_policy_grants_exactly_what_the_code_calls() -> None:
    """Every action the code needs is granted, and nothing else is."""
    granted = granted_actions(json.loads(POLICY.read_text()))
    # iam:PassRole comes once per service it passes roles to (its condition differs).
    once = [action for action in granted if action != "iam:PassRole"]
    assert len(once) == len(set(once)), "an action is granted twice"
    needed = needed_actions()
    assert sorted(needed - set(granted)) == [], "missing from the policy"
    assert sorted(set(granted) - needed) == [], "granted, but the code never calls it"


def test_the_stack_task_role_grants_the_same_actions() -> None:
    """cloudformation.yaml's task role has iam-policy.json's statements (narrower resources)."""
    template = yaml.load(CLOUDFORMATION.read_text(), Loader=_CloudFormationLoader)
    (policy,) = template["Resources"]["TaskRole"]["Properties"]["Policies"]

    def by_sid(document: dict[str, Any]) -> dict[str, list[str]]:
        return {s["Sid"]: sorted(statement_actions(s)) for s in document["Statement"]}

    assert by_sid(policy["PolicyDocument"]) == by_sid(json.loads(POLICY.read_text()))


def test_no_wildcard_actions() -> None:
    """Actions are named one by one: `ecs:*` or `ecs:Describe*` would grant what ecsync never calls."""
    for action in granted_actions(json.loads(POLICY.read_text())):
        assert "*" not in action, action


def test_pass_role_only_to_ecs_tasks_and_schedules() -> None:
    """iam:PassRole is granted only for roles passed to ECS tasks (task and execution roles)
    and to EventBridge Scheduler (a schedule's Target.RoleArn), each in its own statement."""
    policy = json.loads(POLICY.read_text())
    statements = [s for s in policy["Statement"] if "iam:PassRole" in s["Action"]]
    assert [s["Action"] for s in statements] == [["iam:PassRole"], ["iam:PassRole"]]
    assert sorted(s["Condition"]["StringEquals"]["iam:PassedToService"] for s in statements) == [
        "ecs-tasks.amazonaws.com",
        "scheduler.amazonaws.com",
    ]
    assert all(list(s["Condition"]) == ["StringEquals"] for s in statements)


def test_the_scan_follows_an_operation_passed_to_a_helper() -> None:
    """A helper's operation parameter resolves to every literal its callers pass."""
    source = textwrap.dedent(
        """
        def subnets(aws):
            return _existing(aws, "describe_subnets")

        def groups(aws):
            return _existing(aws, operation="describe_security_groups")

        def _existing(aws, operation):
            return calls.call(aws, "ec2", operation, "label", Filters=[])

        class Writer:
            def delete(self, aws):
                self._gone(aws, "delete_lifecycle_policy")

            def _gone(self, aws, operation):
                calls.call(aws, "ecr", operation if aws else "delete_repository")

        def direct(aws):
            aws.ecs.list_clusters()
            aws.client("dynamodb").get_item()
        """
    )
    assert scan_source(source, "example.py") == {
        ("ec2", "describe_subnets"),
        ("ec2", "describe_security_groups"),
        ("ecr", "delete_lifecycle_policy"),
        ("ecr", "delete_repository"),
        ("ecs", "list_clusters"),
        ("dynamodb", "get_item"),
    }


def test_the_scan_refuses_what_it_cannot_follow() -> None:
    """An operation computed at run time fails the scan instead of going unnoticed."""
    source = "def f(aws, name):\n    calls.call(aws, 'ecs', name.lower())\n"
    with pytest.raises(Unresolved, match="cannot tell"):
        scan_source(source, "example.py")
