"""The declaration of one setting, from which its schema entry and its checks are derived."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from singer_sdk import typing as th

Kind = t.Literal["text", "integer", "number", "flag", "choice", "list"]

_SCALAR_TYPES: dict[Kind, type[th.JSONTypeHelper]] = {
    "text": th.StringType,
    "integer": th.IntegerType,
    "number": th.NumberType,
    "flag": th.BooleanType,
    "choice": th.StringType,
}


@dataclass(frozen=True)
class Setting:
    """A setting's name, type, default, limits and description.

    For a list, `minimum` and `maximum` count its items and `allowed` restricts them.
    """

    name: str
    kind: Kind
    description: str
    default: t.Any = None
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[t.Any, ...] = ()
    required: bool = False
    secret: bool = False
    items: th.JSONTypeHelper | None = None

    @property
    def noun(self) -> str:
        return "a whole number" if self.kind == "integer" else "a number"

    @property
    def accepts(self) -> str | None:
        """The numbers this setting accepts, as checks report them and the description says."""
        if self.kind not in {"integer", "number"} or self.minimum is None:
            return None
        if self.maximum is None:
            return f"{self.noun} of at least {self.minimum:g}"
        return f"{self.noun} from {self.minimum:g} to {self.maximum:g}"

    def schema_property(self) -> th.Property:
        limits: dict[str, t.Any]
        if self.kind == "list":
            limits = {"minItems": self.minimum, "maxItems": self.maximum}
            items = self.items or th.StringType(allowed_values=list(self.allowed) or None)
            json_type: th.JSONTypeHelper | type[th.JSONTypeHelper] = th.ArrayType(items)
        else:
            limits = {"minimum": self.minimum, "maximum": self.maximum}
            json_type = _SCALAR_TYPES[self.kind]
        description = self.description
        if self.accepts:
            description += f" Accepts {self.accepts}."
        return th.Property(
            self.name,
            json_type,
            required=self.required,
            default=self.default,
            description=description,
            secret=self.secret,
            allowed_values=list(self.allowed) if self.kind == "choice" else None,
            **{key: limit for key, limit in limits.items() if limit is not None},
        )


def settings_schema(settings: t.Iterable[Setting]) -> dict[str, t.Any]:
    """The JSON schema of a tap's settings."""
    return th.PropertiesList(*(setting.schema_property() for setting in settings)).to_dict()
