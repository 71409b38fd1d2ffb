"""The Bot API spec (bot-api-10.1.json) compiled once per process into validators.

Top-level parameters arrive as strings (form or multipart) or JSON values (JSON body);
nested objects arrive as JSON. Every value is checked against the types the spec names,
recursively; unknown fields and missing required fields are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "SPEC_PATH",
    "ApiError",
    "FieldSpec",
    "MethodSpec",
    "Spec",
    "UploadedFile",
    "ValidationContext",
    "load_spec",
]

SPEC_PATH = Path(__file__).with_name("bot-api-10.1.json")

_INT = re.compile(r"[+-]?\d{1,20}")
_DISCRIMINATOR = re.compile(r"(?:must be|always)\s+\"?([A-Za-z_]+)\"?")
# "For simple text buttons, String can be used instead of this object" (KeyboardButton).
_STRING_ALLOWED = frozenset({"KeyboardButton"})
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}


class ApiError(Exception):
    """An answer other than ok: HTTP status, Telegram's description, optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(text: str) -> ApiError:
    """A 400 whose description starts with "Bad Request: " like Telegram's."""
    return ApiError(400, f"Bad Request: {text}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)


@dataclass
class ValidationContext:
    """Per-request state: multipart files that ``attach://`` may refer to."""

    files: dict[str, UploadedFile] = field(default_factory=dict)
    attached: set[str] = field(default_factory=set)

    def attachment(self, uri: str, path: str) -> UploadedFile:
        name = uri[len("attach://") :]
        found = self.files.get(name)
        if found is None:
            raise bad_request(f'{path}: file "{name}" referenced by attach:// was not uploaded')
        self.attached.add(name)
        return found


TypeCheck = Callable[[dict[str, Any], str], None]


class Node:
    """A compiled type expression."""

    label = "?"

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        raise NotImplementedError

    def from_param(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        """Top-level parameter: a string, an UploadedFile, or a JSON value from a JSON body."""
        return self.from_json(value, path, ctx)

    def fail(self, value: Any, path: str) -> ApiError:
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return bad_request(f'field "{path}" must be of type {self.label}, got {shown}')


class IntegerNode(Node):
    label = "Integer"

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT.fullmatch(value):
            return int(value)
        raise self.fail(value, path)


class FloatNode(Node):
    label = "Float"

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise self.fail(value, path) from None
            if number == number and abs(number) != float("inf"):
                return number
        raise self.fail(value, path)


class StringNode(Node):
    label = "String"

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # Telegram converts numbers given for strings
        raise self.fail(value, path)


class BooleanNode(Node):
    label = "Boolean"

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, bool):
            return value
        raise self.fail(value, path)

    def from_param(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, str) and value.lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.lower()]
        return self.from_json(value, path, ctx)


class InputFileNode(Node):
    label = "InputFile"

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, str) and value.startswith("attach://"):
            return ctx.attachment(value, path)
        raise self.fail(value, path)

    def from_param(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, UploadedFile):
            return value
        return self.from_json(value, path, ctx)


def _decode_json(value: Any, path: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f'can\'t parse "{path}" JSON object') from None
    return value


class ArrayNode(Node):
    def __init__(self, item: Node) -> None:
        self.item = item
        self.label = f"Array of {item.label}"

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if not isinstance(value, list):
            raise self.fail(value, path)
        item = self.item
        return [item.from_json(v, f"{path}[{i}]", ctx) for i, v in enumerate(value)]

    def from_param(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        return self.from_json(_decode_json(value, path), path, ctx)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a method or object type."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str


class ObjectNode(Node):
    """An object type with fields; compiled lazily so recursive types work."""

    def __init__(self, spec: Spec, name: str, fields: list[FieldSpec]) -> None:
        self.spec = spec
        self.label = name
        self.field_specs = fields
        self._nodes: dict[str, Node] | None = None
        self.required = tuple(f.name for f in fields if f.required)
        self.check: TypeCheck | None = None

    @property
    def nodes(self) -> dict[str, Node]:
        if self._nodes is None:
            self._nodes = {f.name: self.spec.node_for(f.types) for f in self.field_specs}
        return self._nodes

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if not isinstance(value, dict):
            raise self.fail(value, path)
        nodes = self.nodes
        out: dict[str, Any] = {}
        for key, item in value.items():
            node = nodes.get(key)
            if node is None:
                raise bad_request(f'unknown field "{path}.{key}" in {self.label}')
            if item is not None:
                out[key] = node.from_json(item, f"{path}.{key}", ctx)
        for key in self.required:
            if key not in out:
                raise bad_request(f'field "{path}.{key}" of {self.label} is required')
        if self.check is not None:
            self.check(out, path)
        return out

    def from_param(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        return self.from_json(_decode_json(value, path), path, ctx)


class UnionNode(Node):
    """One of several types; objects are told apart by a discriminator or by shape."""

    def __init__(
        self, alternatives: list[Node], discriminator: tuple[str, dict[str, Node]] | None = None
    ) -> None:
        self.alternatives = alternatives
        self.label = " or ".join(a.label for a in alternatives)
        self.discriminator = discriminator

    def _choose(self, value: Any, path: str) -> list[Node]:
        if isinstance(value, dict) and self.discriminator is not None:
            key, table = self.discriminator
            chosen = table.get(value.get(key))  # type: ignore[arg-type]
            if chosen is None:
                raise bad_request(
                    f'field "{path}.{key}" must be one of {sorted(table)}, got {value.get(key)!r}'
                )
            return [chosen]
        if isinstance(value, dict):
            shaped = [
                a
                for a in self.alternatives
                if isinstance(a, ObjectNode) and all(k in value for k in a.required)
            ]
            # Prefer the alternatives whose required fields are all present.
            shaped.sort(key=lambda a: -len(a.required) if isinstance(a, ObjectNode) else 0)
            return shaped + [a for a in self.alternatives if a not in shaped]
        return self.alternatives

    def _try(self, value: Any, path: str, ctx: ValidationContext, top: bool) -> Any:
        first_error: ApiError | None = None
        for alternative in self._choose(value, path):
            try:
                if top:
                    return alternative.from_param(value, path, ctx)
                return alternative.from_json(value, path, ctx)
            except ApiError as error:
                first_error = first_error or error
        assert first_error is not None
        if isinstance(value, dict) and any(
            isinstance(a, ObjectNode) and all(k in value for k in a.required)
            for a in self.alternatives
        ):
            raise first_error  # the object looked like one of them: its own error is clearer
        raise self.fail(value, path)

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        return self._try(value, path, ctx, top=False)

    def from_param(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if isinstance(value, str) and any(
            isinstance(a, ObjectNode | ArrayNode | UnionNode) for a in self.alternatives
        ):
            stripped = value.lstrip()
            if stripped.startswith(("{", "[")):
                return self._try(_decode_json(value, path), path, ctx, top=False)
        return self._try(value, path, ctx, top=True)


class AnyObjectNode(Node):
    """A placeholder type without fields (e.g. CallbackGame)."""

    def __init__(self, name: str) -> None:
        self.label = name

    def from_json(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        if not isinstance(value, dict):
            raise self.fail(value, path)
        return value

    def from_param(self, value: Any, path: str, ctx: ValidationContext) -> Any:
        return self.from_json(_decode_json(value, path), path, ctx)


@dataclass
class MethodSpec:
    """A Bot API method: its fields compiled to validators."""

    name: str
    fields: dict[str, FieldSpec]
    nodes: dict[str, Node]
    required: tuple[str, ...]
    returns: tuple[str, ...]


class Spec:
    """The whole API: methods by exact and lower-case name, types compiled on demand."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw.get("version", "")
        self.checks_installed = False
        self._raw_types: dict[str, Any] = raw["types"]
        self._nodes: dict[str, Node] = {
            "Integer": IntegerNode(),
            "Float": FloatNode(),
            "String": StringNode(),
            "Boolean": BooleanNode(),
            "InputFile": InputFileNode(),
        }
        self._unions: dict[tuple[str, ...], Node] = {}
        self.methods: dict[str, MethodSpec] = {}
        for name, method in raw["methods"].items():
            fields = {f.name: f for f in (_field(d) for d in method.get("fields", []))}
            self.methods[name] = MethodSpec(
                name=name,
                fields=fields,
                nodes={f.name: self.node_for(f.types) for f in fields.values()},
                required=tuple(f.name for f in fields.values() if f.required),
                returns=tuple(method.get("returns", [])),
            )
        self.by_lower = {name.lower(): name for name in self.methods}

    def node(self, expr: str) -> Node:
        """The validator for one type expression such as "Array of MessageEntity"."""
        found = self._nodes.get(expr)
        if found is not None:
            return found
        if expr.startswith("Array of "):
            node: Node = ArrayNode(self.node(expr[len("Array of ") :]))
        elif expr in self._raw_types:
            node = self._type_node(expr)
        else:
            raise KeyError(f"unknown type in spec: {expr}")
        self._nodes[expr] = node
        return node

    def node_for(self, types: tuple[str, ...]) -> Node:
        """The validator for a field's union of types."""
        if len(types) == 1:
            return self.node(types[0])
        found = self._unions.get(types)
        if found is None:
            found = UnionNode([self.node(t) for t in types])
            self._unions[types] = found
        return found

    def object_node(self, name: str) -> ObjectNode:
        node = self.node(name)
        if isinstance(node, UnionNode) and name in _STRING_ALLOWED:
            node = node.alternatives[0]
        assert isinstance(node, ObjectNode), name
        return node

    def _type_node(self, name: str) -> Node:
        raw = self._raw_types[name]
        if "subtypes" in raw:
            placeholder = UnionNode([])
            self._nodes[name] = placeholder  # break recursion (RichText contains RichText)
            alternatives = [self.node(s) for s in raw["subtypes"]]
            placeholder.alternatives = alternatives
            placeholder.label = name
            placeholder.discriminator = self._discriminator(raw["subtypes"])
            return placeholder
        if "fields" not in raw:
            return AnyObjectNode(name)
        node = ObjectNode(self, name, [_field(d) for d in raw["fields"]])
        if name in _STRING_ALLOWED:
            union = UnionNode([node, self.node("String")])
            union.label = name
            return union
        return node

    def _discriminator(self, subtypes: list[str]) -> tuple[str, dict[str, Node]] | None:
        key: str | None = None
        table: dict[str, Node] = {}
        for sub in subtypes:
            raw = self._raw_types.get(sub)
            if raw is None or not raw.get("fields"):
                return None
            first = raw["fields"][0]
            match = _DISCRIMINATOR.search(first["description"])
            if match is None or first["name"] not in ("type", "status", "source"):
                return None
            if key not in (None, first["name"]):
                return None
            key = first["name"]
            table[match.group(1)] = self.node(sub)
        assert key is not None
        return key, table


def _field(raw: dict[str, Any]) -> FieldSpec:
    return FieldSpec(
        name=raw["name"],
        types=tuple(raw["types"]),
        required=bool(raw.get("required")),
        description=raw.get("description", ""),
    )


@cache
def load_spec(path: Path = SPEC_PATH) -> Spec:
    """The compiled spec, built once per process."""
    with path.open(encoding="utf-8") as handle:
        return Spec(json.load(handle))
