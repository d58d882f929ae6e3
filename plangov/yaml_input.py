"""Reading YAML that people send us (the governance import), safely and with line numbers.

``compose`` reads the file as a node tree with PyYAML's safe loader, refusing what makes a
small file cost a great deal: aliases (``*name``; "billion laughs" expands a 24 KB file into
billions of values) and nesting deeper than ``plangov.text.MAX_DEPTH`` (10,000 levels overflow
the composer's recursion). Both stop at the first offending event, so such a file is refused
in the time it takes to read up to it. A character YAML itself refuses (a raw U+000B) is
reported by its line too.

``refused_text`` applies plangov.text's policy to every scalar of the tree (keys and values),
answering each refusal with its line; a refused scalar is left with the refused characters
dropped, so the checks that follow report only what else is wrong with it.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError

from . import text


class YamlRefused(Exception):
    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class _Refusal(ComposerError):
    pass


class GuardedLoader(yaml.SafeLoader):
    """The safe loader, composing nodes only: no aliases, no nesting past MAX_DEPTH."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refusal(
                None, None,
                f"an alias (*{event.anchor}) is not allowed here; write the value out in full",
                event.start_mark,
            )
        if self._depth >= text.MAX_DEPTH:
            raise _Refusal(
                None, None,
                f"nested more than {text.MAX_DEPTH} levels deep; nothing here is that deep",
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(source: str) -> yaml.Node | None:
    """The single document's node tree (None for an empty file); raises YamlRefused."""
    loader = None
    try:
        loader = GuardedLoader(source)  # the reader checks every character here
        return loader.get_single_node()
    except _Refusal as exc:
        raise YamlRefused(_line(exc.problem_mark), str(exc.problem)) from exc
    except yaml.reader.ReaderError as exc:
        line = source.count("\n", 0, exc.position) + 1
        if exc.encoding != "unicode":  # bytes that are not text in their encoding
            what = f"the byte 0x{exc.character:02X}"
        else:
            what = text.describe(chr(exc.character))
        raise YamlRefused(line, f"contains {what}, which cannot be stored or printed; "
                                "remove it") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlRefused(_line(mark), f"not valid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise YamlRefused(None, f"not valid YAML: {exc}") from exc
    except RecursionError as exc:  # belt and braces: the depth guard stops long before
        raise YamlRefused(None, "nested too deep to read") from exc
    finally:
        if loader is not None:
            loader.dispose()


def _line(mark: yaml.Mark | None) -> int | None:
    return mark.line + 1 if mark is not None else None


def refused_text(root: yaml.Node | None) -> list[YamlRefused]:
    """Every scalar the text policy refuses, by line, naming the key it belongs to."""
    refusals: list[YamlRefused] = []
    stack: list[tuple[yaml.Node, str]] = [(root, "the value")] if root is not None else []
    while stack:
        node, label = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if isinstance(node.value, str) and text.FORBIDDEN.search(node.value):
                message = text.TextRefused(node.value).message
                refusals.append(YamlRefused(
                    node.start_mark.line + 1, f"{label} {message[0].lower()}{message[1:]}"
                ))
                node.value = text.FORBIDDEN.sub("", node.value)
            elif isinstance(node.value, str):
                node.value = text.normalise_lines(node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, label) for item in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
                stack.append((value_node, f"'{text.FORBIDDEN.sub(chr(0xFFFD), str(name))}'"))
                stack.append((key_node, "a key"))
    return sorted(refusals, key=lambda r: r.line or 0)
