"""One policy for every piece of text that comes in, whatever the door (API, pages, YAML
import, plan content): text that is accepted is text every output can carry.

Refused, with a message naming the field, the character and where it is:

- NUL and the other C0 controls except tab and newline (U+0000-U+0008, U+000B, U+000C,
  U+000E-U+001F) and DEL (U+007F): invisible, and forbidden in XML (the PDF's XMP metadata,
  Word documents). A Shift+Enter pasted from Word is U+000B.
- C1 controls (U+0080-U+009F), mostly text decoded with the wrong code page.
- Unicode non-characters: U+FDD0-U+FDEF and the last two code points of every plane
  (U+FFFE, U+FFFF, U+1FFFE, ...).
- Lone surrogates (U+D800-U+DFFF): JSON can spell one ("\\ud800") but no database or file
  can store it.

Normalised: line separators become a newline (CRLF and CR, U+2028 LINE SEPARATOR and U+2029
PARAGRAPH SEPARATOR), so text typed in a browser (CRLF), on an old Mac (CR) or pasted from a
web page (U+2028) is stored one way.

``clean_text`` checks and normalises one string; ``clean_tree`` walks nested data (dicts and
lists, keys too) and names each wrong string by its dotted path, refusing nesting deeper than
``MAX_DEPTH``. ``scrub`` is the second line for outputs: it drops what the policy refuses from
text already stored, so a legacy string can never stop a document being written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# How deep request bodies (JSON) and imported files (YAML) may nest. Plan content, the
# deepest thing plangov reads, is five levels deep.
MAX_DEPTH = 32

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}-{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS + "]"
)
_FORBIDDEN_RUN = re.compile(f"(?:{FORBIDDEN.pattern})+")
_SEPARATORS = re.compile("[\x0b\x0c\x1c-\x1f\x85]")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")

# The names of the controls (Unicode's NameAliases; unicodedata has none for them).
_C0 = (
    "NULL START_OF_HEADING START_OF_TEXT END_OF_TEXT END_OF_TRANSMISSION ENQUIRY ACKNOWLEDGE "
    "ALERT BACKSPACE CHARACTER_TABULATION LINE_FEED LINE_TABULATION FORM_FEED CARRIAGE_RETURN "
    "SHIFT_OUT SHIFT_IN DATA_LINK_ESCAPE DEVICE_CONTROL_ONE DEVICE_CONTROL_TWO "
    "DEVICE_CONTROL_THREE DEVICE_CONTROL_FOUR NEGATIVE_ACKNOWLEDGE SYNCHRONOUS_IDLE "
    "END_OF_TRANSMISSION_BLOCK CANCEL END_OF_MEDIUM SUBSTITUTE ESCAPE INFORMATION_SEPARATOR_FOUR "
    "INFORMATION_SEPARATOR_THREE INFORMATION_SEPARATOR_TWO INFORMATION_SEPARATOR_ONE"
).split()
_C1 = (
    "PADDING_CHARACTER HIGH_OCTET_PRESET BREAK_PERMITTED_HERE NO_BREAK_HERE INDEX NEXT_LINE "
    "START_OF_SELECTED_AREA END_OF_SELECTED_AREA CHARACTER_TABULATION_SET "
    "CHARACTER_TABULATION_WITH_JUSTIFICATION LINE_TABULATION_SET PARTIAL_LINE_FORWARD "
    "PARTIAL_LINE_BACKWARD REVERSE_LINE_FEED SINGLE_SHIFT_TWO SINGLE_SHIFT_THREE "
    "DEVICE_CONTROL_STRING PRIVATE_USE_ONE PRIVATE_USE_TWO SET_TRANSMIT_STATE CANCEL_CHARACTER "
    "MESSAGE_WAITING START_OF_GUARDED_AREA END_OF_GUARDED_AREA START_OF_STRING "
    "SINGLE_GRAPHIC_CHARACTER_INTRODUCER SINGLE_CHARACTER_INTRODUCER "
    "CONTROL_SEQUENCE_INTRODUCER STRING_TERMINATOR OPERATING_SYSTEM_COMMAND PRIVACY_MESSAGE "
    "APPLICATION_PROGRAM_COMMAND"
).split()


def describe(char: str) -> str:
    """``U+000B (LINE TABULATION)``: the code point and what it is."""
    code = ord(char)
    if code < 0x20:
        what = _C0[code].replace("_", " ")
    elif code == 0x7F:
        what = "DELETE"
    elif 0x80 <= code <= 0x9F:
        what = _C1[code - 0x80].replace("_", " ")
    elif 0xD800 <= code <= 0xDFFF:
        what = "a lone surrogate"
    elif FORBIDDEN.fullmatch(char):
        what = "a Unicode non-character"
    else:
        import unicodedata

        what = unicodedata.name(char, "unnamed")
    return f"U+{code:04X} ({what})"


class TextRefused(ValueError):
    """A string holds characters the policy refuses. ``message`` says which, and where
    (the 1-based position of the first in the string as given)."""

    def __init__(self, value: str):
        found = [m.start() for m in FORBIDDEN.finditer(value)]
        self.position = found[0] + 1
        self.char = value[found[0]]
        self.count = len(found)
        more = self.count - 1
        also = f" (and {more} more such character{'s' if more != 1 else ''})" if more else ""
        self.message = (
            f"Contains {describe(self.char)} at position {self.position}{also}, "
            f"which cannot be stored or printed; remove {'them' if more else 'it'}."
        )
        super().__init__(self.message)

    def for_field(self, field: str) -> str:
        """The message led by the field's name: ``title: contains U+000B ...``."""
        return f"{field}: {self.message[0].lower()}{self.message[1:]}"


def normalise_lines(value: str) -> str:
    return _LINE_BREAKS.sub("\n", value)


def clean_text(value: str) -> str:
    """The text with its line separators normalised; raises TextRefused if it holds a
    character the policy refuses."""
    if FORBIDDEN.search(value):
        raise TextRefused(value)
    return normalise_lines(value)


def text_error(value: Any) -> str | None:
    """The policy's message for ``value``, or None when it is acceptable (or not text)."""
    if isinstance(value, str) and FORBIDDEN.search(value):
        return TextRefused(value).message
    return None


def scrub(value: str) -> str:
    """For outputs only: the text with every refused character dropped (a control that
    separates words becomes a space) and line separators normalised. Never used on input,
    where the policy refuses instead of guessing."""
    if not isinstance(value, str):
        return value
    value = normalise_lines(value)
    if not FORBIDDEN.search(value):
        return value
    return _FORBIDDEN_RUN.sub(
        lambda m: " " if _SEPARATORS.search(m.group()) else "", value
    )


class TooDeep(ValueError):
    def __init__(self, path: str, limit: int = MAX_DEPTH):
        self.path = path
        super().__init__(f"Nested more than {limit} levels deep; plangov reads nothing that "
                         "deep.")


def _join(prefix: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def clean_tree(
    data: Any, *, root: str = "", max_depth: int = MAX_DEPTH
) -> tuple[Any, dict[str, list[str]]]:
    """Apply the policy to every string in ``data`` (mapping keys too). Answers the data with
    its strings normalised, and the errors keyed by dotted path (``outcomes[0].title``; an
    error about the whole is under ``root`` or "request"). Raises TooDeep for nesting deeper
    than ``max_depth``, before looking further, so hostile input costs little."""
    errors: dict[str, list[str]] = {}

    def walk(value: Any, path: str, depth: int) -> Any:
        if isinstance(value, str):
            try:
                return clean_text(value)
            except TextRefused as exc:
                errors.setdefault(path or root or "request", []).append(exc.message)
                return value
        if isinstance(value, Mapping | list | tuple) and depth >= max_depth:
            raise TooDeep(path or root or "request", max_depth)
        if isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                if isinstance(key, str) and FORBIDDEN.search(key):
                    where = _join(path, FORBIDDEN.sub("\ufffd", key))
                    errors.setdefault(where, []).append(
                        "This key " + TextRefused(key).message[0].lower()
                        + TextRefused(key).message[1:]
                    )
                    continue
                clean_key = normalise_lines(key) if isinstance(key, str) else key
                out[clean_key] = walk(item, _join(path, clean_key), depth + 1)
            return out
        if isinstance(value, list | tuple):
            return [walk(item, _join(path, index), depth + 1) for index, item in enumerate(value)]
        return value

    cleaned = walk(data, "", 0)
    return cleaned, errors


def check_fields(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """The policy's errors for a flat mapping of field names to values (a form, a query
    string); values that are lists are checked item by item."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if isinstance(name, str) and FORBIDDEN.search(name):
            errors.setdefault(FORBIDDEN.sub("\ufffd", name), []).append(
                "This name " + TextRefused(name).message[0].lower()
                + TextRefused(name).message[1:]
            )
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if (message := text_error(item)) is not None:
                errors.setdefault(name, []).append(message)
    return errors


def field_text(value: str, field: str) -> str:
    """``clean_text`` for a service's input: a refusal is InvalidInput naming ``field``."""
    from .errors import InvalidInput

    try:
        return clean_text(value)
    except TextRefused as exc:
        raise InvalidInput({field: [exc.message]}, detail=exc.for_field(field)) from exc


def collect_field(errors: dict[str, list[str]], field: str, value: Any, *, max_length: int,
                  required: bool = False, what: str = "") -> str:
    """One text field of a form-like input through the policy, trimmed and measured; what is
    wrong goes in ``errors`` under ``field`` (for services that report every field at once)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = ["Must be text."]
        return ""
    if (refused := text_error(value)) is not None:
        errors[field] = [refused]
        return ""
    value = normalise_lines(value).strip()
    if required and not value:
        errors[field] = [f"{what or 'This'} is required."]
    elif len(value) > max_length:
        errors[field] = [f"At most {max_length} characters (this has {len(value)})."]
    return value


def field_name(value: str, field: str, *, max_length: int, what: str = "The name") -> str:
    """A title or a name: through the policy, trimmed, present, one line, not too long;
    raises InvalidInput naming ``field``."""
    from .errors import InvalidInput

    name = field_text(value, field).strip()
    if not name:
        raise InvalidInput({field: [f"{what} cannot be blank."]})
    if "\n" in name:
        raise InvalidInput({field: [f"{what} is one line; remove the line break."]})
    if len(name) > max_length:
        raise InvalidInput({field: [f"Keep {what[0].lower()}{what[1:]} under {max_length} "
                                    "characters."]})
    return name
